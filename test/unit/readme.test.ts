import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config.js';

const ROOT = join(import.meta.dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');

describe('README, package.json and .ci/run agree', () => {
  it('documents every environment variable the service reads, with its declared default', () => {
    // Each row: | `NAME` | default (backticks are formatting) | meaning |
    const rows = new Map([...readme.matchAll(/^\| `([A-Z0-9_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.replace(/`/g, '').trim()]));
    const wrong = Object.entries(SETTINGS)
      .filter(([name, s]) => rows.get(name) !== s.default)
      .map(([name, s]) => `${name}: README ${rows.get(name) ?? '(missing)'}, src/config.ts ${s.default}`);
    expect(wrong).toEqual([]);
  });

  it('gives the two commands, and CI runs the same test command', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    expect(pkg.scripts.start).toBeDefined();
    expect(pkg.scripts.test).toBeDefined();
    expect(ci).toMatch(/^npm test$/m);
  });
});
