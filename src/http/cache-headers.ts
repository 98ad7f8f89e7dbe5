/** Never stored by any cache: pages with CSRF tokens, tokens, one-time links (RFC 9111 §5.2.2.5). */
export const NO_STORE = { 'cache-control': 'no-store' } as const;
/** The token endpoint's form (RFC 6749 §5.1): no-store, plus Pragma for HTTP/1.0 caches. */
export const NO_STORE_NO_CACHE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
/** 303 See Other after a form POST: not cached, and the page's address not leaked to where it goes. */
export const SEE_OTHER = { ...NO_STORE, 'referrer-policy': 'no-referrer' } as const;
