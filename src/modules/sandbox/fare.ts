import { distanceMeters, type Point } from '../../lib/geo.js';
import type { ProductRate } from './rates.js';

export interface FareQuote {
  distanceKm: number;
  minutes: number;
  /** Integer minor units of the currency. */
  fareMinor: number;
}

/**
 * A simulated fare (docs/sandbox.md): base + per km + per estimated minute, never below the
 * minimum, rounded to the currency's minor unit. `minorDigits` is the currency's decimals.
 */
export function quoteFare(rate: ProductRate, pickup: Point, dropoff: Point, minorDigits: number): FareQuote {
  const distanceKm = distanceMeters(pickup, dropoff) / 1000;
  const minutes = (distanceKm / rate.kmh) * 60;
  const major = Math.max(rate.minimum, rate.base + rate.per_km * distanceKm + rate.per_minute * minutes);
  return { distanceKm, minutes, fareMinor: Math.round(major * 10 ** minorDigits) };
}
