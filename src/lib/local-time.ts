/**
 * Local hours and days of an IANA time zone as epoch-ms boundaries, DST included: a local day is
 * 23, 24 or 25 hours long, and zones with half-hour offsets get half-past hour boundaries in UTC.
 * Used to cut a timeline into buckets that line up with the clock on the wall where a program runs.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

function clock(timeZone: string, at: number): { hour: number; minute: number; second: number } {
  const parts = formatter(timeZone).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { hour: get('hour'), minute: get('minute'), second: get('second') };
}

const HOUR = 3_600_000;

/** The instant the local hour containing `at` began. */
export function startOfLocalHour(timeZone: string, at: number): number {
  const { minute, second } = clock(timeZone, at);
  return at - ((minute * 60 + second) * 1000 + (((at % 1000) + 1000) % 1000));
}

/** The instant the local calendar day containing `at` began (its first hour when it has no 00:00). */
export function startOfLocalDay(timeZone: string, at: number): number {
  let start = startOfLocalHour(timeZone, at);
  // Walk back hour by hour while the previous instant is still the same local day.
  for (let i = 0; i < 27; i += 1) {
    if (clock(timeZone, start).hour === 0) return start;
    const previous = startOfLocalHour(timeZone, start - 1);
    if (clock(timeZone, previous).hour > clock(timeZone, start).hour) return start; // crossed into yesterday
    start = previous;
  }
  return start;
}

export type BucketSize = 'hour' | 'day';

/** Next boundary after `start` (a boundary itself): +90 min / +26 h then back to the boundary, so DST never skips one. */
export function nextBoundary(size: BucketSize, timeZone: string, start: number): number {
  return size === 'hour' ? startOfLocalHour(timeZone, start + 1.5 * HOUR) : startOfLocalDay(timeZone, start + 26 * HOUR);
}

/** The buckets [start, end) covering [from, to), cut at local boundaries; at most `max` (null beyond). */
export function localBuckets(size: BucketSize, timeZone: string, from: number, to: number, max: number): { start: number; end: number }[] | null {
  const buckets: { start: number; end: number }[] = [];
  let start = size === 'hour' ? startOfLocalHour(timeZone, from) : startOfLocalDay(timeZone, from);
  while (start < to) {
    if (buckets.length === max) return null;
    const end = nextBoundary(size, timeZone, start);
    buckets.push({ start, end });
    start = end;
  }
  return buckets;
}
