import type { FastifyReply } from 'fastify';
import { contentLanguage, type Locale } from '../../../lib/i18n.js';
import { NO_STORE_NO_CACHE } from '../../../http/cache-headers.js';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A complete accessible page: language, title, one main landmark with a level-1 heading. */
export function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${contentLanguage(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5}label{display:block;margin-top:1rem}input,select{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}button{font-size:1rem;margin:1rem .5rem 0 0;padding:.5rem 1rem}[role=alert]{color:#a00;font-weight:600}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export function hiddenFields(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v!)}">`)
    .join('\n');
}

/**
 * Sends a page with the headers every login/consent page needs: no framing (clickjacking,
 * RFC 6749 §10.13), no caching, no referrer leaking the query, nothing but inline style allowed.
 */
export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
      'x-frame-options': 'DENY',
      ...NO_STORE_NO_CACHE,
      'referrer-policy': 'no-referrer',
    })
    .send(html);
}
