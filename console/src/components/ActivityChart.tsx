import { useEffect, useState } from 'react';
import { api, type Paths } from '../api.js';
import { formatNumber, localeTag, t } from '../i18n.js';

const ACTIVITY = '/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/activity';
type Activity = Paths[typeof ACTIVITY]['get']['responses'][200]['content']['application/json'];
type Bucket = Activity['buckets'][number];
type Metric = 'claims' | 'trips' | 'spent_amount';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The API lists at most 1,000 buckets: hours for programs up to 3 days, days otherwise (the last 1,000). */
function rangeOf(program: { starts_at: number; ends_at: number }, now: number): { bucket: 'hour' | 'day'; from: number; to: number } {
  const to = Math.max(program.starts_at + HOUR, Math.min(program.ends_at + 1, now));
  const bucket = program.ends_at - program.starts_at <= 3 * DAY ? 'hour' : 'day';
  const from = Math.max(program.starts_at, to - 999 * (bucket === 'hour' ? HOUR : DAY));
  return { bucket, from, to };
}

const W = 1000;
const H = 80;
/** Left margin for the scale label. */
const L = 60;

/** One metric as bars over time, an inline SVG (no script, no third-party origin: CSP-safe). */
function Bars(props: { id: string; label: string; buckets: Bucket[]; metric: Metric; bucket: string; format: (n: number) => string; tz: string }) {
  const values = props.buckets.map((b) => Number(b[props.metric]));
  const max = Math.max(0, ...values);
  const total = values.reduce((a, b) => a + b, 0);
  const step = (W - L) / Math.max(1, values.length);
  const first = props.buckets[0];
  const last = props.buckets[props.buckets.length - 1];
  const when = (ms: number) => new Intl.DateTimeFormat(localeTag, { dateStyle: 'medium', ...(props.bucket === t('activity_hour') ? { timeStyle: 'short' } : {}), timeZone: props.tz }).format(ms);
  const desc = t('activity_desc', {
    metric: props.label,
    bucket: props.bucket,
    from: first ? when(first.start) : '',
    to: last ? when(last.end) : '',
    total: props.format(total),
    max: props.format(max),
  });
  return (
    <figure className="chart">
      <figcaption id={`${props.id}-title`}>
        {props.label} <span className="meta">{props.format(total)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H + 14}`} role="img" aria-labelledby={`${props.id}-title`} aria-describedby={`${props.id}-desc`} data-testid={`chart-${props.metric}`}>
        <desc id={`${props.id}-desc`}>{desc}</desc>
        <line x1={L} y1={H} x2={W} y2={H} className="axis" />
        {values.map((v, i) =>
          v > 0 ? <rect key={i} x={L + i * step + step * 0.1} width={Math.max(1, step * 0.8)} y={H - (v / max) * (H - 4)} height={(v / max) * (H - 4)} className={`bar ${props.metric}`} /> : null,
        )}
        <text x={L} y={H + 12} className="tick">
          {first ? when(first.start) : ''}
        </text>
        <text x={W} y={H + 12} textAnchor="end" className="tick">
          {last ? when(last.end) : ''}
        </text>
        <text x={L - 6} y="10" textAnchor="end" className="tick">
          {props.format(max)}
        </text>
      </svg>
    </figure>
  );
}

/** Claims, trips and spend per hour or day over the program's life (…/activity), with a table alternative. */
export default function ActivityChart(props: { path: { organization_id: string; voucher_program_id: string }; program: { starts_at: number; ends_at: number }; version: number }) {
  const [activity, setActivity] = useState<Activity | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const range = rangeOf(props.program, Date.now());
    void api.GET(ACTIVITY, { params: { path: props.path, query: range } as never }).then(({ data, error: failure, response }) => {
      if (!live) return;
      if (data) setActivity(data);
      else setError((failure as { message?: string } | undefined)?.message ?? t('error_generic', { status: response.status }));
    });
    return () => {
      live = false;
    };
  }, [props.path.organization_id, props.path.voucher_program_id, props.version]);

  if (error) return <p role="alert">{error}</p>;
  if (!activity) return <p role="status">{t('loading')}</p>;
  const bucket = activity.bucket === 'hour' ? t('activity_hour') : t('activity_day');
  const money = (n: number) => `${formatNumber(n)} ${activity.currency_code}`;
  const when = (ms: number) => new Intl.DateTimeFormat(localeTag, { dateStyle: 'short', ...(activity.bucket === 'hour' ? { timeStyle: 'short' } : {}), timeZone: activity.timezone }).format(ms);
  const busy = activity.buckets.filter((b) => b.claims > 0 || b.trips > 0 || Number(b.spent_amount) > 0);
  return (
    <section aria-labelledby="activity-title" className="activity">
      <h2 id="activity-title">
        {t('activity_title')} <span className="meta">({bucket}, {activity.timezone})</span>
      </h2>
      <Bars id="chart-claims" label={t('activity_claims')} buckets={activity.buckets} metric="claims" bucket={bucket} format={formatNumber} tz={activity.timezone} />
      <Bars id="chart-trips" label={t('activity_trips')} buckets={activity.buckets} metric="trips" bucket={bucket} format={formatNumber} tz={activity.timezone} />
      <Bars id="chart-spent" label={t('activity_spent')} buckets={activity.buckets} metric="spent_amount" bucket={bucket} format={money} tz={activity.timezone} />
      <details>
        <summary>{t('activity_table')}</summary>
        {busy.length === 0 ? (
          <p>{t('activity_empty')}</p>
        ) : (
          <table data-testid="activity-table">
            <thead>
              <tr>
                <th scope="col">{t('activity_start')}</th>
                <th scope="col" className="num">{t('activity_claims')}</th>
                <th scope="col" className="num">{t('activity_trips')}</th>
                <th scope="col" className="num">{t('activity_spent')}</th>
              </tr>
            </thead>
            <tbody>
              {busy.map((b) => (
                <tr key={b.start}>
                  <th scope="row">{when(b.start)}</th>
                  <td className="num">{formatNumber(b.claims)}</td>
                  <td className="num">{formatNumber(b.trips)}</td>
                  <td className="num">{money(Number(b.spent_amount))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </section>
  );
}
