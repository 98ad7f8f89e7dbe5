import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { Link } from '../App.js';
import { formatDate, formatNumber, t } from '../i18n.js';
import { programPath, programsPath } from '../router.js';
import type { Paths } from '../api.js';

type Summary = Paths['/v1/organizations/{organization_id}/voucher-programs/search']['post']['responses'][200]['content']['application/json']['voucher_programs'][number];
type Status = Summary['status'];

const STATUSES: Status[] = ['ACTIVE', 'UPCOMING', 'COMPLETE', 'CANCELED'];
export const PAGE_SIZE = 20;

/** Programs of the organization: a tab per status, search by name, paged with limit/offset. */
export function Programs(props: { org: string }) {
  const [status, setStatus] = useState<Status>('ACTIVE');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<Summary[] | null>(null);
  const [hasNext, setHasNext] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setRows(null);
    const timer = setTimeout(() => {
      // One more than a page tells whether a next page exists.
      void api
        .POST('/v1/organizations/{organization_id}/voucher-programs/search', {
          params: { path: { organization_id: props.org } },
          body: { program_status: status, limit: PAGE_SIZE + 1, offset: page * PAGE_SIZE, ...(query.trim() ? { name_contains: query.trim() } : {}) },
        })
        .then(({ data, error: failure, response }) => {
          if (!live) return;
          if (!data) {
            setError(failure?.message ?? t('error_generic', { status: response.status }));
            setRows([]);
            return;
          }
          setError(null);
          setHasNext(data.voucher_programs.length > PAGE_SIZE);
          setRows(data.voucher_programs.slice(0, PAGE_SIZE));
        });
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [props.org, status, query, page]);

  const onTabKey = (e: React.KeyboardEvent, index: number) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    const next = STATUSES[(index + delta + STATUSES.length) % STATUSES.length]!;
    setStatus(next);
    setPage(0);
    document.getElementById(`tab-${next}`)?.focus();
  };

  return (
    <section aria-labelledby="programs-title">
      <div className="title-row">
        <h1 id="programs-title">{t('programs_title')}</h1>
        <Link to={`${programsPath(props.org)}/new`} className="button">
          {t('new_program')}
        </Link>
      </div>
      <div role="tablist" aria-label={t('status_tabs')} className="tabs">
        {STATUSES.map((s, i) => (
          <button
            key={s}
            id={`tab-${s}`}
            type="button"
            role="tab"
            aria-selected={s === status}
            aria-controls="programs-panel"
            tabIndex={s === status ? 0 : -1}
            onClick={() => {
              setStatus(s);
              setPage(0);
            }}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {t(`status_${s}`)}
          </button>
        ))}
      </div>
      <div id="programs-panel" role="tabpanel" aria-labelledby={`tab-${status}`}>
        <div className="search">
          <label htmlFor="program-search">{t('search_label')}</label>
          <input
            id="program-search"
            type="search"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setPage(0);
            }}
          />
        </div>
        {error ? <p role="alert">{error}</p> : null}
        {rows === null ? (
          <p role="status">{t('loading')}</p>
        ) : rows.length === 0 ? (
          <p>{t('no_programs')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('col_name')}</th>
                <th scope="col">{t('col_status')}</th>
                <th scope="col">{t('col_scheme')}</th>
                <th scope="col" className="num">
                  {t('col_codes')}
                </th>
                <th scope="col" className="num">
                  {t('col_claimed')}
                </th>
                <th scope="col" className="num">
                  {t('col_trips')}
                </th>
                <th scope="col" className="num">
                  {t('col_spent_exposure')}
                </th>
                <th scope="col">{t('col_dates')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.voucher_program_id}>
                  <td>
                    <Link to={programPath(props.org, p.voucher_program_id)}>{p.name}</Link>
                  </td>
                  <td>{t(`status_${p.status}`)}</td>
                  <td>{t(`scheme_${p.code_scheme}`)}</td>
                  <td className="num">{formatNumber(p.total_number_of_codes ?? 0)}</td>
                  <td className="num">{formatNumber(p.usage_voucher_claim_count ?? 0)}</td>
                  <td className="num">{formatNumber(p.usage_trip_count ?? 0)}</td>
                  <td className="num">
                    {formatNumber(p.usage_amount ?? 0)} / {p.total_dollar_exposure === undefined ? t('exposure_unbounded') : formatNumber(p.total_dollar_exposure)} {p.currency_code}
                  </td>
                  <td>
                    {formatDate(p.starts_at)} – {formatDate(p.ends_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <nav className="pager" aria-label={t('page_n', { n: page + 1 })}>
          <button type="button" className="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>
            {t('previous')}
          </button>
          <span>{t('page_n', { n: page + 1 })}</span>
          <button type="button" className="secondary" disabled={!hasNext} onClick={() => setPage(page + 1)}>
            {t('next')}
          </button>
        </nav>
      </div>
    </section>
  );
}
