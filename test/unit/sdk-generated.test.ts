import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderClientTypes } from '../../packages/client/scripts/render.js';

describe('packages/client generated types', () => {
  it('match the current OpenAPI document (run `npm run sdk:generate` after changing a route schema)', async () => {
    const committed = readFileSync(new URL('../../packages/client/src/generated/openapi.ts', import.meta.url), 'utf8');
    expect(await renderClientTypes()).toBe(committed);
  });
});
