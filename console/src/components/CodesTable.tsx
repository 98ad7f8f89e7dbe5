import { useEffect, useState } from 'react';
import { api, type Paths } from '../api.js';
import { CodeLink } from './CodeLink.js';
import { DownloadCodesCsv } from './DownloadCodesCsv.js';
import { formatDate, t } from '../i18n.js';
import { addSeenGenerations, codesQuery, NO_CODE_FILTERS, type CodeFilters, type CodeStatusFilter, type SeenGeneration } from '../lib/code-filters.js';

const PROGRAM = '/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}';
type CodePage = Paths[`${typeof PROGRAM}/codes`]['get']['responses'][200]['content']['application/json'];
type Reason = Paths[`${typeof PROGRAM}/codes/cancel`]['post']['responses'][200]['content']['application/json']['cancelCodeFailures'][number]['reason'];
type Path = { organization_id: string; voucher_program_id: string };

const CODES_PAGE = 50;

/**
 * A program's codes, one page in the DOM at a time, filtered by the API (status, generation, code
 * text), with selection and bulk cancel (docs/console.md, Program page).
 */
export function CodesTable(props: { path: Path; version: number }) {
  // page_token of each page seen so far: [undefined] is the first page.
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [index, setIndex] = useState(0);
  const [page, setPage] = useState<CodePage | null>(null);
  const [filters, setFilters] = useState<CodeFilters>(NO_CODE_FILTERS);
  const [codeInput, setCodeInput] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [generations, setGenerations] = useState<SeenGeneration[]>([]);
  // Selected code ids → their text, so failures can name codes of pages no longer shown.
  const [selected, setSelected] = useState<Map<string, string>>(new Map());
  const [result, setResult] = useState<{ ok: number; n: number; failures: { text: string; reason: Reason }[] } | null>(null);
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const restart = () => {
    setTokens([undefined]);
    setIndex(0);
  };
  useEffect(restart, [props.version]);

  useEffect(() => {
    let live = true;
    void api
      .GET(`${PROGRAM}/codes`, { params: { path: props.path, query: codesQuery(filters, CODES_PAGE, tokens[index]) } })
      .then(({ data, error: failure, response }) => {
        if (!live) return;
        if (!data || typeof data === 'string') {
          const message = failure?.message ?? t('error_generic', { status: response.status });
          // A code text the API cannot read is shown at the search box, the rest above the table.
          if ((failure?.metadata as { field?: unknown } | undefined)?.field === 'code') setCodeError(message);
          else setError(message);
          setPage({ total_number_of_codes: page?.total_number_of_codes ?? 0, codes: [] });
          return;
        }
        setError(null);
        setCodeError(null);
        setPage(data);
        setGenerations((seen) => addSeenGenerations(seen, data.codes));
      });
    return () => {
      live = false;
    };
  }, [tokens, index, reload, props.version, filters]);

  const changeFilters = (next: Partial<CodeFilters>) => {
    setFilters({ ...filters, ...next });
    restart();
  };

  const visible = page?.codes ?? [];
  const toggle = (id: string, text: string) => {
    const next = new Map(selected);
    if (next.has(id)) next.delete(id);
    else next.set(id, text);
    setSelected(next);
  };
  const allSelected = visible.length > 0 && visible.every((c) => selected.has(c.code_id));
  const toggleAll = () => {
    const next = new Map(selected);
    for (const c of visible) {
      if (allSelected) next.delete(c.code_id);
      else next.set(c.code_id, c.code_text);
    }
    setSelected(next);
  };

  const cancelSelected = async () => {
    const ids = [...selected.keys()];
    const { data, error: failure, response } = await api.POST(`${PROGRAM}/codes/cancel`, { params: { path: props.path }, body: { codes: ids } });
    if (!data) {
      setError(failure?.message ?? t('error_generic', { status: response.status }));
      return;
    }
    const failures = data.cancelCodeFailures.map((f) => ({ text: selected.get(f.code_uuid) ?? f.code_uuid, reason: f.reason }));
    setResult({ ok: ids.length - failures.length, n: ids.length, failures });
    setSelected(new Map());
    setReload((r) => r + 1);
  };

  const find = (e: React.FormEvent) => {
    e.preventDefault();
    setCodeError(null);
    changeFilters({ code: codeInput });
  };

  return (
    <section aria-labelledby="codes-title">
      <h2 id="codes-title">{t('codes_title')}</h2>
      <div className="toolbar">
        <label htmlFor="code-filter">{t('filter_status')}</label>
        <select id="code-filter" value={filters.status} onChange={(e) => changeFilters({ status: e.target.value as CodeStatusFilter })}>
          <option value="ALL">{t('filter_all')}</option>
          <option value="AVAILABLE">{t('code_AVAILABLE')}</option>
          <option value="REDEEMED">{t('code_REDEEMED')}</option>
          <option value="CANCELED">{t('code_CANCELED')}</option>
        </select>
        <label htmlFor="code-generation">{t('filter_generation')}</label>
        <select id="code-generation" value={filters.generation} onChange={(e) => changeFilters({ generation: e.target.value })}>
          <option value="">{t('filter_all_generations')}</option>
          {generations.map((g) => (
            <option key={g.id} value={g.id}>
              {t('generation_option', { date: formatDate(g.firstCodeAt), id: g.id.slice(-8) })}
            </option>
          ))}
        </select>
        <button type="button" className="danger" disabled={selected.size === 0} onClick={() => void cancelSelected()}>
          {t('cancel_selected', { n: selected.size })}
        </button>
        <DownloadCodesCsv path={props.path} />
      </div>
      <form className="inline-form" role="search" onSubmit={find}>
        <label htmlFor="code-find">{t('find_code')}</label>
        <input
          id="code-find"
          value={codeInput}
          onChange={(e) => setCodeInput(e.target.value)}
          aria-invalid={codeError ? true : undefined}
          aria-describedby={codeError ? 'code-find-error' : undefined}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="secondary">
          {t('find')}
        </button>
        {filters.code !== '' ? (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setCodeInput('');
              setCodeError(null);
              changeFilters({ code: '' });
            }}
          >
            {t('find_clear')}
          </button>
        ) : null}
        {codeError ? (
          <p id="code-find-error" className="field-error">
            {codeError}
          </p>
        ) : null}
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {result ? (
        <div role="status" className="result">
          <p>{t('cancel_done', { ok: result.ok, n: result.n })}</p>
          {result.failures.length > 0 ? (
            <>
              <p>{t('cancel_failures')}</p>
              <ul>
                {result.failures.map((f) => (
                  <li key={f.text}>
                    <code>{f.text}</code>: {t(`reason_${f.reason}`)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
      {page === null ? (
        <p role="status">{t('loading')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">
                <input type="checkbox" aria-label={t('select_page')} checked={allSelected} onChange={toggleAll} />
              </th>
              <th scope="col">{t('col_code')}</th>
              <th scope="col">{t('col_status')}</th>
              <th scope="col" className="num">
                {t('col_redemptions')}
              </th>
              <th scope="col">{t('col_created')}</th>
              <th scope="col">{t('col_link')}</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((c) => (
              <tr key={c.code_id}>
                <td>
                  <input type="checkbox" aria-label={t('select_code', { code: c.code_text })} checked={selected.has(c.code_id)} onChange={() => toggle(c.code_id, c.code_text)} />
                </td>
                <td>
                  <code>{c.code_text}</code>
                </td>
                <td>{t(`code_${c.status}`)}</td>
                <td className="num">{c.max_num_redemptions}</td>
                <td>{formatDate(c.created_at)}</td>
                <td>
                  <CodeLink code={c.code_text} link={c.redemption_link} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page !== null && visible.length === 0 && !error && !codeError ? <p role="status">{t('codes_none_match')}</p> : null}
      <nav className="pager" aria-label={t('codes_title')}>
        <button type="button" className="secondary" disabled={index === 0} onClick={() => setIndex(index - 1)}>
          {t('previous')}
        </button>
        <span>{t('page_n', { n: index + 1 })}</span>
        <button
          type="button"
          className="secondary"
          disabled={!page?.next_page_token}
          onClick={() => {
            const next = [...tokens.slice(0, index + 1), page!.next_page_token];
            setTokens(next);
            setIndex(index + 1);
          }}
        >
          {t('next')}
        </button>
      </nav>
    </section>
  );
}
