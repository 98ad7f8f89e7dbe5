/**
 * The value-rule period a moment falls in, in the program's time zone (docs/programs.md
 * `value_recurrence_period`): SINGLE is the whole program window, DAILY a local calendar day,
 * MONTHLY a local calendar month. Local dates come from ICU, so 23- and 25-hour days around DST
 * changes are whole days.
 */
export type RecurrencePeriod = 'SINGLE' | 'DAILY' | 'MONTHLY';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, calendar: 'gregory', numberingSystem: 'latn', year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local calendar date `YYYY-MM-DD` of an epoch-ms instant in `timeZone`. */
export function localDate(timeZone: string, at: number): string {
  const parts = formatter(timeZone).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}

export function periodKey(period: string | null, timeZone: string, at: number): string {
  switch (period) {
    case 'DAILY':
      return localDate(timeZone, at);
    case 'MONTHLY':
      return localDate(timeZone, at).slice(0, 7);
    default:
      return 'SINGLE';
  }
}
