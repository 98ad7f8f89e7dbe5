/**
 * Money is kept in integer minor units of the program's currency (no float drift); the wire uses
 * decimal numbers as Uber does. Currency validity and minor-unit digits come from ICU (ISO 4217).
 */
const SUPPORTED = new Set(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : []);

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && (SUPPORTED.size === 0 || SUPPORTED.has(code));
}

const digitsCache = new Map<string, number>();

export function currencyDigits(code: string): number {
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(code, digits);
  }
  return digits;
}

/** Major units (e.g. 12.5 USD) → minor units (1250); undefined when it has more decimals than allowed. */
export function toMinorUnits(amount: number, currency: string): number | undefined {
  const scale = 10 ** currencyDigits(currency);
  const scaled = amount * scale;
  const rounded = Math.round(scaled);
  if (Math.abs(scaled - rounded) > 1e-6 || !Number.isSafeInteger(rounded)) return undefined;
  return rounded;
}

export function fromMinorUnits(minor: number, currency: string): number {
  const digits = currencyDigits(currency);
  return Number((minor / 10 ** digits).toFixed(digits));
}
