/** Pure helpers of the Developers screen (docs/console.md, Developers). */

export interface DeliverySummary {
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  last_status_code: number | null;
  last_error: string | null;
}

/** What went wrong last: the sender's error text, else a non-2xx status; null when nothing did. */
export function lastProblem(d: DeliverySummary): { error: string } | { status: number } | null {
  if (d.last_error) return { error: d.last_error };
  if (d.last_status_code !== null && (d.last_status_code < 200 || d.last_status_code > 299)) return { status: d.last_status_code };
  return null;
}

/** The message and field of an API 400 (`metadata.field`, docs/webhooks.md); null for other answers. */
export function apiFieldError(body: unknown): { field: string | null; message: string } | null {
  if (typeof body !== 'object' || body === null) return null;
  const { message, metadata } = body as { message?: unknown; metadata?: { field?: unknown } };
  if (typeof message !== 'string') return null;
  return { field: typeof metadata?.field === 'string' ? metadata.field : null, message };
}
