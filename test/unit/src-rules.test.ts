import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('house rules over src/', () => {
  const sources = files(join(import.meta.dirname, '../../src')).filter((f) => f.endsWith('.ts'));

  it('finds the sources', () => {
    expect(sources.length).toBeGreaterThan(20);
  });

  it('never uses Math.random (CSPRNG only, docs/guarantees.md)', () => {
    const offenders = sources.filter((f) => /Math\s*\.\s*random/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('reads process.env only in config.ts', () => {
    const offenders = sources.filter((f) => !f.endsWith('config.ts') && /process\.env/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
