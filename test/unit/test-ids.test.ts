import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Test ids (`A8:`, `(C7)`, `H2:` …) are defined in one place: the "Test ids" table of
 * docs/guarantees.md, each naming the files that carry it. This keeps that table and the tests in
 * step: an id used by a test must be listed with that file, and every listed file must exist and
 * carry its id.
 */
const root = join(import.meta.dirname, '../..');
const ID_TAG = /(?<=['"`(])([A-I][0-9]{1,2})(?=[:)])/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function usedIds(): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const file of files(join(root, 'test')).filter((f) => f.endsWith('.ts') && !f.endsWith('test-ids.test.ts'))) {
    for (const [, id] of readFileSync(file, 'utf8').matchAll(ID_TAG)) {
      const set = used.get(id!) ?? new Set<string>();
      set.add(relative(root, file));
      used.set(id!, set);
    }
  }
  return used;
}

function listedIds(): Map<string, Set<string>> {
  const doc = readFileSync(join(root, 'docs/guarantees.md'), 'utf8');
  const section = doc.split(/^## Test ids$/m)[1]?.split(/^## /m)[0] ?? '';
  const listed = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const row = /^\| \*\*([A-I][0-9]{1,2})\*\* \|.*\|(.*)\|$/.exec(line);
    if (row) listed.set(row[1]!, new Set([...row[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
  }
  return listed;
}

describe('test ids are defined once, in docs/guarantees.md', () => {
  const used = usedIds();
  const listed = listedIds();

  it('finds ids in the tests and rows in the table', () => {
    expect(used.size).toBeGreaterThan(30);
    expect(listed.size).toBeGreaterThanOrEqual(used.size);
  });

  it('lists every id a test uses, with every file that uses it', () => {
    const missing: string[] = [];
    for (const [id, where] of used) {
      for (const file of where) if (!listed.get(id)?.has(file)) missing.push(`${id} ${file}`);
    }
    expect(missing).toEqual([]);
  });

  it('every listed file exists and carries its id', () => {
    const wrong: string[] = [];
    for (const [id, where] of listed) {
      for (const file of where) {
        if (!existsSync(join(root, file))) wrong.push(`${id}: ${file} does not exist`);
        else if (!used.get(id)?.has(file)) wrong.push(`${id}: ${file} does not carry the id`);
      }
      if (where.size === 0) wrong.push(`${id}: names no file`);
    }
    expect(wrong).toEqual([]);
  });
});
