import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { exportOpenApiDocument } from '../../src/http/openapi/export.js';

/**
 * The published contract lints clean: /openapi.json of an app on sqlite::memory: (production and
 * sandbox, which adds the sandbox helpers) through Redocly (redocly.yaml) and Spectral
 * (.spectral.yaml, spectral:oas), 0 errors and 0 warnings each.
 */
const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const dir = mkdtempSync(join(tmpdir(), 'voucherd-openapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a CLI that exits non-zero when it finds problems; the JSON report is on stdout either way. */
async function report(file: string, args: string[]): Promise<string> {
  try {
    return (await run(file, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const stdout = (err as { stdout?: string }).stdout;
    if (!stdout) throw err;
    return stdout;
  }
}

interface Finding {
  rule: string;
  where: string;
  message: string;
}

async function redocly(path: string): Promise<{ errors: Finding[]; warnings: Finding[] }> {
  const out = JSON.parse(await report(bin('redocly'), ['lint', path, '--config', join(root, 'redocly.yaml'), '--format', 'json'])) as {
    problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
  };
  const of = (severity: string) =>
    out.problems.filter((p) => p.severity === severity).map((p) => ({ rule: p.ruleId, where: p.location[0]?.pointer ?? '', message: p.message }));
  return { errors: of('error'), warnings: of('warn') };
}

async function spectral(path: string): Promise<{ errors: Finding[]; warnings: Finding[] }> {
  const out = JSON.parse(await report(bin('spectral'), ['lint', path, '-r', join(root, '.spectral.yaml'), '--format', 'json', '--quiet'])) as {
    code: string;
    severity: number;
    message: string;
    path: string[];
  }[];
  const of = (severity: number) => out.filter((r) => r.severity === severity).map((r) => ({ rule: r.code, where: r.path.join('.'), message: r.message }));
  return { errors: of(0), warnings: of(1) };
}

describe.each([
  ['production', {}],
  ['sandbox', { VOUCHERD_ENVIRONMENT: 'sandbox' }],
] as const)('the OpenAPI document (%s)', (name, env) => {
  const path = join(dir, `openapi-${name}.json`);

  it('is written from the running app: every operation has an operationId, a 2xx, and a schema for every answer with a body', async () => {
    const document = await exportOpenApiDocument({ ...env });
    writeFileSync(path, JSON.stringify(document, null, 2));
    const paths = document.paths as Record<string, Record<string, { operationId?: string; responses: Record<string, { content?: unknown }> }>>;
    expect(Object.keys(paths).length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const [url, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${url}`;
        if (!operation.operationId) missing.push(`${where}: operationId`);
        if (!Object.keys(operation.responses).some((s) => s.startsWith('2'))) missing.push(`${where}: 2xx`);
        for (const [status, response] of Object.entries(operation.responses)) {
          // 204 and redirects have no body; every other answer has a schema.
          if (!['204', '302', '303'].includes(status) && response.content === undefined && !(method === 'post' && url === '/oauth/v2/revoke')) {
            missing.push(`${where}: ${status} schema`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('passes Redocly lint with 0 errors and 0 warnings', async () => {
    const result = await redocly(path);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('passes Spectral (spectral:oas) with 0 errors and 0 warnings', async () => {
    const result = await spectral(path);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});
