import type { FastifyInstance } from 'fastify';

export interface RouteInfo {
  method: string;
  /** Fastify syntax: /v1/organizations/:organization_id/… */
  url: string;
  params: string[];
  query: string[];
  bodySchema?: { properties?: Record<string, { type?: string | string[] }>; required?: string[] };
}

/**
 * Every route the app serves, read from `app.printRoutes()` (so routes hidden from the OpenAPI
 * document — OAuth, pages — are covered too), enriched with the OpenAPI document's parameters and
 * body schema where it has them. New routes are fuzzed without touching the test.
 */
export function listRoutes(app: FastifyInstance): RouteInfo[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: RouteInfo[] = [];
  const doc = app.swagger() as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: RouteInfo['bodySchema'] }> } }>> };
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    if (!m[3]) continue;
    const url = stack.join('');
    if (url.includes('*') || url.startsWith('/docs')) continue; // swagger-ui static files
    for (const method of m[3].split(', ')) {
      if (method === 'HEAD') continue;
      const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      const params = [...url.matchAll(/:(\w+)/g)].map((x) => x[1]!);
      const query = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const bodySchema = op?.requestBody?.content?.['application/json']?.schema;
      routes.push({ method, url, params, query, ...(bodySchema ? { bodySchema } : {}) });
    }
  }
  // The tree is parsed text: every parsed route must be one the router really has.
  for (const r of routes) {
    if (!app.hasRoute({ method: r.method as 'GET', url: r.url })) throw new Error(`listRoutes parsed a route the app does not have: ${r.method} ${r.url}`);
  }
  return routes;
}

/** The prefix of every organization-scoped route (docs/architecture.md, Adding a route). */
export const ORG_PREFIX = '/v1/organizations/:organization_id/';

/** `METHOD /pattern` of every org-scoped route the app serves. */
export function orgRouteKeys(app: FastifyInstance): string[] {
  return listRoutes(app)
    .filter((r) => r.url.startsWith(ORG_PREFIX))
    .map((r) => `${r.method} ${r.url}`)
    .sort();
}
