/**
 * Counters in webhook bodies are sent as Uber's published payload shows them: decimal strings
 * (`"usage_trip_count": "3"`, `"usage_amount": "100.0"` — amounts always with a fraction digit),
 * so a handler written against Uber's sample parses voucherd's the same way (docs/webhooks.md).
 */
const COUNTS = new Set([
  'usage_trip_count',
  'usage_voucher_claim_count',
  'redemption_count',
  'number_of_codes',
  'total_number_of_codes',
  'number_of_codes_canceled',
  'number_of_codes_distributed',
]);
const AMOUNTS = new Set(['usage_amount', 'covered_amount']);

function amountText(value: number): string {
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

export function counterToWire(key: string, value: unknown): unknown {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  if (AMOUNTS.has(key)) return amountText(value);
  if (COUNTS.has(key)) return String(value);
  return value;
}

/** The event's data with every counter in its wire form (other fields as they are). */
export function countersToWire(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, counterToWire(key, value)]));
}
