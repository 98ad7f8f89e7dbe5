import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layers of docs/architecture.md ("Layers", "Module order"): routes → services → repositories → SQL,
 * and modules that depend one way. Reads src/ as text: every relative import statement, every line
 * that builds SQL, and every string or template literal that holds SQL text.
 */

const ROOT = join(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

interface Import {
  from: string; // src/… of the importing file
  to: string; // src/… of the imported file (.ts)
  line: number;
  typeOnly: boolean;
  multiline: boolean;
  text: string;
}

// `import …/export … from '…'`, `import '…'`; `import type {…}` and `import { type A, type B }` are type-only.
const IMPORT = /^[ \t]*(import|export)\s+(type\s+)?(?:([\s\S]*?)\s+from\s+)?['"]([^'"\n]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function isTypeOnly(keywordType: string | undefined, clause: string | undefined): boolean {
  if (keywordType) return true;
  const named = clause?.trim().match(/^\{([\s\S]*)\}$/);
  if (!named) return false;
  const specifiers = named[1]!.split(',').map((s) => s.trim()).filter(Boolean);
  return specifiers.length > 0 && specifiers.every((s) => s.startsWith('type '));
}

const sources = files(join(ROOT, 'src'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => relative(ROOT, f).split('\\').join('/'));
const text = new Map(sources.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

function target(from: string, specifier: string): string {
  return relative(ROOT, resolve(ROOT, dirname(from), specifier.replace(/\.js$/, '.ts'))).split('\\').join('/');
}

const imports: Import[] = sources.flatMap((from) => {
  const body = text.get(from)!;
  const found: Import[] = [];
  for (const m of body.matchAll(IMPORT)) {
    if (!m[4]!.startsWith('.')) continue;
    const line = lineOf(body, m.index! + m[0].indexOf(m[1]!));
    found.push({ from, to: target(from, m[4]!), line, typeOnly: isTypeOnly(m[2], m[3]), multiline: m[0].includes('\n'), text: m[0].replace(/\s+/g, ' ').trim() });
  }
  for (const m of body.matchAll(DYNAMIC_IMPORT)) {
    if (!m[1]!.startsWith('.')) continue;
    found.push({ from, to: target(from, m[1]!), line: lineOf(body, m.index!), typeOnly: false, multiline: false, text: m[0] });
  }
  return found;
});

const show = (i: Import) => `${i.from}:${i.line} imports ${i.to} (${i.text})`;

const isRoute = (f: string) => f.endsWith('.routes.ts');
const isRepository = (f: string) => f.endsWith('.repository.ts');
const isService = (f: string) => f.endsWith('.service.ts');
const isStorage = (f: string) => f.startsWith('src/db/');
const moduleOf = (f: string) => f.match(/^src\/modules\/([^/]+)\//)?.[1];

// The query builders that start a statement, and the `sql` template tag (also `sql<T>\``).
const SQL = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql(<[^`\n]*>)?`/;

// A statement spelled as text: what a string or template literal holds when it is SQL run raw
// (CompiledQuery.raw, a driver's query) rather than built. Substitutions read as `?`.
const RAW_SQL = /\bselect\s[\s\S]*?\bfrom\s+\w|\binsert\s+into\s+\w|\bupdate\s+\w+\s+set\s|\bdelete\s+from\s+\w|\bwith\s+\w+(\s*\([^)]*\))?\s+as\s*\(/i;

/** Every string and template literal of a file that holds SQL text: `file:line: text`. */
function rawSql(file: string): string[] {
  const source = ts.createSourceFile(file, text.get(file)!, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const literal =
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
        ? node.text
        : ts.isTemplateExpression(node)
          ? [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('?')
          : undefined;
    if (literal !== undefined && RAW_SQL.test(literal)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push(`${file}:${line}: ${literal.trim().replace(/\s+/g, ' ').slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The module order drawn in docs/architecture.md, top (may import everything below) to bottom. */
function documentedModuleOrder(): string[][] {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const section = doc.split(/^## Module order$/m)[1];
  const block = section?.match(/```\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error('docs/architecture.md has no fenced block under "## Module order"');
  return block
    .split('\n')
    .map((line) => line.replace(/[│↓|]/g, ' ').trim())
    .filter((line) => line && !line.startsWith('('))
    .map((line) => line.split(/[\s,]+/).filter(Boolean));
}

describe('layers (docs/architecture.md)', () => {
  it('reads the sources and their imports', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(imports.length).toBeGreaterThan(500);
    // The parser sees multi-line import lists and type-only imports.
    expect(imports.some((i) => i.multiline)).toBe(true);
    expect(imports.some((i) => i.typeOnly)).toBe(true);
  });

  it('routes never import a repository; from src/db/ only types', () => {
    // `import type` from src/db/ is allowed: a route may name the `Db` handle, which erases at compile
    // time and runs no query (table types are refused below, "routes see no rows"). Nothing, not even
    // a type, from a repository.
    const offenders = imports
      .filter((i) => isRoute(i.from))
      .filter((i) => isRepository(i.to) || (isStorage(i.to) && !i.typeOnly))
      .map(show);
    expect(offenders, 'a route calls services only').toEqual([]);
  });

  it('SQL is written only in repositories and src/db/', () => {
    const offenders = sources
      .filter((f) => !isRepository(f) && !isStorage(f))
      .flatMap((f) =>
        text
          .get(f)!
          .split('\n')
          .flatMap((line, n) => (SQL.test(line) ? [`${f}:${n + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders, 'move the statement into the module repository').toEqual([]);
  });

  it('SQL text in string and template literals is written only in repositories and src/db/', () => {
    // The detector sees the statements the repositories and src/db/ hold as text, so an empty list
    // below means there are none elsewhere, not that it reads nothing.
    expect(sources.filter((f) => isRepository(f) || isStorage(f)).flatMap(rawSql).length).toBeGreaterThan(5);
    const offenders = sources.filter((f) => !isRepository(f) && !isStorage(f)).flatMap(rawSql);
    expect(offenders, 'move the statement into the module repository').toEqual([]);
  });

  it('repositories never import services or routes', () => {
    const offenders = imports.filter((i) => isRepository(i.from) && (isService(i.to) || isRoute(i.to))).map(show);
    expect(offenders).toEqual([]);
  });

  it('src/app.ts, src/server.ts and the CLI (src/cli.ts, src/cli/) import services, not repositories', () => {
    const entries = ['src/app.ts', 'src/server.ts', 'src/cli.ts'];
    const isEntry = (f: string) => entries.includes(f) || f.startsWith('src/cli/');
    expect(sources.filter((f) => f.startsWith('src/cli/commands/')).length, 'the CLI commands are read').toBeGreaterThan(0);
    const offenders = imports.filter((i) => isEntry(i.from) && isRepository(i.to)).map(show);
    expect(offenders).toEqual([]);
  });

  describe('modules depend one way', () => {
    const edges = new Map<string, Import[]>();
    for (const i of imports) {
      const a = moduleOf(i.from);
      const b = moduleOf(i.to);
      if (!a || !b || a === b) continue;
      const key = `${a} -> ${b}`;
      edges.set(key, [...(edges.get(key) ?? []), i]);
    }
    const modules = [...new Set(sources.map(moduleOf).filter((m): m is string => !!m))].sort();

    it('no import cycle between modules', () => {
      const next = new Map(modules.map((m) => [m, [...edges.keys()].filter((k) => k.startsWith(`${m} -> `)).map((k) => k.split(' -> ')[1]!)]));
      const cycles: string[] = [];
      const state = new Map<string, 'open' | 'done'>();
      const path: string[] = [];
      const visit = (m: string) => {
        state.set(m, 'open');
        path.push(m);
        for (const n of next.get(m) ?? []) {
          if (state.get(n) === 'open') {
            const cycle = [...path.slice(path.indexOf(n)), n];
            const witnesses = cycle.slice(1).map((b, k) => show(edges.get(`${cycle[k]} -> ${b}`)![0]!));
            cycles.push(`${cycle.join(' -> ')}\n    ${witnesses.join('\n    ')}`);
          } else if (!state.has(n)) visit(n);
        }
        path.pop();
        state.set(m, 'done');
      };
      for (const m of modules) if (!state.has(m)) visit(m);
      expect(cycles).toEqual([]);
    });

    it('follows the module order drawn in docs/architecture.md', () => {
      const rows = documentedModuleOrder();
      const rank = new Map(rows.flatMap((row, r) => row.map((m) => [m, r] as const)));
      expect([...rank.keys()].sort(), 'every module is drawn exactly once').toEqual(modules);
      expect(rank.size, 'no module drawn twice').toBe(rows.flat().length);
      // A module imports only modules on rows below its own.
      const upward = [...edges.entries()]
        .filter(([key]) => {
          const [a, b] = key.split(' -> ') as [string, string];
          return rank.get(a)! >= rank.get(b)!;
        })
        .map(([key, list]) => `${key}: ${list.map(show).join('; ')}`);
      expect(upward).toEqual([]);
    });
  });
});

/**
 * What a route receives from the layers below it (docs/architecture.md, Layers): plain objects, never
 * a row. Two checks: no route names a `*Row` type or imports anything from src/db/schema.ts, and
 * (with the type checker, since a row can reach a route without being named) no call a route makes
 * returns a value carrying a column of a src/db/schema.ts table.
 */
describe('routes see no rows', () => {
  const routes = sources.filter(isRoute);

  it('no route names a *Row type or imports src/db/schema.ts', () => {
    const named = routes.flatMap((f) =>
      text
        .get(f)!
        .split('\n')
        .flatMap((line, n) => (/\b[A-Z]\w*Row\b/.test(line) ? [`${f}:${n + 1}: ${line.trim()}`] : [])),
    );
    const schemaImports = imports.filter((i) => isRoute(i.from) && i.to === 'src/db/schema.ts').map(show);
    expect([...named, ...schemaImports], 'a route renders what its service returns, not a table row').toEqual([]);
  });

  it('no call in a route returns a row (a value with columns declared in src/db/schema.ts)', () => {
    const program = ts.createProgram(
      routes.map((f) => join(ROOT, f)),
      { ...ts.parseJsonConfigFileContent(ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, ROOT).options, noEmit: true },
    );
    const checker = program.getTypeChecker();
    const schema = join(ROOT, 'src/db/schema.ts').split('\\').join('/');
    const fromSchema = (symbol: ts.Symbol) => (symbol.declarations ?? []).some((d) => d.getSourceFile().fileName === schema);
    // Each table's columns; a type holding all of one table's columns is that table's row, however
    // it was mapped (Kysely's Selectable<T> keeps no declaration of the columns).
    const tables = program
      .getSourceFile(schema)!
      .statements.filter(ts.isInterfaceDeclaration)
      .filter((d) => d.name.text !== 'DB')
      .map((d) => d.members.map((m) => m.name?.getText()).filter((n): n is string => !!n));
    const isRow = (type: ts.Type) => {
      const names = new Set(checker.getPropertiesOfType(type).map((p) => p.name));
      return checker.getPropertiesOfType(type).some(fromSchema) || tables.some((columns) => columns.every((c) => names.has(c)));
    };
    // The row-ness of a type: a column among its properties, or in the array/union/promise it wraps.
    const carriesRow = (type: ts.Type, seen = new Set<ts.Type>()): boolean => {
      if (seen.has(type)) return false;
      seen.add(type);
      const awaited = checker.getAwaitedType(type) ?? type;
      if (awaited !== type) return carriesRow(awaited, seen);
      if (type.isUnion() || type.isIntersection()) return type.types.some((t) => carriesRow(t, seen));
      if (checker.isArrayType(type)) return checker.getTypeArguments(type as ts.TypeReference).some((t) => carriesRow(t, seen));
      if (!(type.flags & ts.TypeFlags.Object)) return false;
      return isRow(type);
    };
    const offenders: string[] = [];
    for (const file of routes) {
      const source = program.getSourceFile(join(ROOT, file))!;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const declaration = checker.getResolvedSignature(node)?.getDeclaration();
          const where = declaration?.getSourceFile().fileName ?? '';
          if (where.startsWith(`${ROOT}/src/`) && carriesRow(checker.getTypeAtLocation(node))) {
            const { line } = source.getLineAndCharacterOfPosition(node.getStart());
            offenders.push(`${file}:${line + 1}: ${node.expression.getText()}(…) returns a row`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(offenders, 'the service returns a plain object or the wire view').toEqual([]);
  }, 120_000);
});
