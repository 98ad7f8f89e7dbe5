import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderClientTypes } from './render.js';

/** `npm run sdk:generate`: writes the client's types from the document the code publishes. */
const target = fileURLToPath(new URL('../src/generated/openapi.ts', import.meta.url));
writeFileSync(target, await renderClientTypes());
console.log(`wrote ${target}`);
