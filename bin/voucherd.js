#!/usr/bin/env node
// The `voucherd` command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs).
import('../dist/cli.js').then((m) => m.main(process.argv.slice(2))).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
