#!/usr/bin/env node
// The `voucherd` command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs).
import('../dist/cli.js').then((m) => m.main(process.argv.slice(2))).catch((err) => {
  // One line, no stack: usually dist/ is missing (run npm run build).
  console.error(`voucherd: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
  process.exit(1);
});
