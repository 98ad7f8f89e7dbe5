import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { CONSOLE_PATH, ensureConsoleClient } from '../oauth/console-client.js';
import { NO_STORE } from '../../http/cache-headers.js';

/** Where `npm run build` puts the console (vite, console/vite.config.ts): `<root>/dist/console`, from src/ or dist/. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

/**
 * The console's Content-Security-Policy (docs/console.md, Security): every script, style, image
 * and request comes from voucherd itself; no inline script or style, no eval, no framing.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  /** Vite's hashed file names under assets/ never change content: cache them for a year. */
  immutable: boolean;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * The built files, read once: only these exact paths are served (no file system lookup per request,
 * so no path traversal), text compressed once with gzip.
 */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(join(dir, 'index.html'))) return assets;
  for (const path of walk(dir)) {
    const rel = relative(dir, path).split(sep).join('/');
    const ext = rel.slice(rel.lastIndexOf('.'));
    const type = TYPES[ext] ?? 'application/octet-stream';
    const body = readFileSync(path);
    const compressible = type.startsWith('text/') || type.startsWith('application/json') || type === 'image/svg+xml';
    assets.set(rel, { body, gzip: compressible && body.length > 512 ? gzipSync(body, { level: 9 }) : null, type, immutable: rel.startsWith('assets/') });
  }
  return assets;
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers({
    'content-security-policy': CONSOLE_CSP,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  });
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  const gzip = asset.gzip !== null && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  securityHeaders(reply).headers({
    'content-type': asset.type,
    'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  return reply.status(200).send(gzip ? asset.gzip : asset.body);
}

/**
 * voucherd console (docs/console.md): the single-page app under /console, built by `npm run build`.
 * A path that names a built file gets it; every other /console/* path gets index.html, so the
 * app's own routes (/console/programs/…, /console/callback) load on refresh. A missing asset file
 * (/console/assets/…) is a 404, not the page.
 */
export async function consoleRoutes(app: FastifyInstance, opts: { ctx: AppContext; dir?: string }): Promise<void> {
  const { ctx } = opts;
  const assets = loadAssets(opts.dir ?? CONSOLE_DIST);

  const serve = async (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const index = assets.get('index.html');
    if (!index) {
      return securityHeaders(reply)
        .status(503)
        .headers({ 'content-type': 'text/plain; charset=utf-8', ...NO_STORE })
        .send('The console is not built: run `npm run build` (docs/console.md).');
    }
    // The sign-in needs the console's OAuth client; made on first use as well as at startup.
    await ensureConsoleClient(ctx);
    const asset = path !== 'index.html' ? assets.get(path) : undefined;
    if (asset) return send(request, reply, asset);
    if (path.startsWith('assets/')) {
      return securityHeaders(reply).status(404).headers({ 'content-type': 'text/plain; charset=utf-8' }).send('Not found');
    }
    return send(request, reply, index);
  };

  app.get(CONSOLE_PATH, { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 302));
  app.get(`${CONSOLE_PATH}/*`, { schema: { hide: true } }, async (request, reply) => serve(request, reply, (request.params as { '*': string })['*']));
}
