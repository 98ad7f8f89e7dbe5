import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { ProgramActions } from '../components/ProgramActions.js';
import { api, type Paths } from '../api.js';
import { CodesTable } from '../components/CodesTable.js';
import { Link } from '../App.js';
import { formatDate, formatNumber, t } from '../i18n.js';
import { addSample, formatDuration, pollDelayMs, progressOf, rateOf, secondsLeft, type Sample, stateFromGenerateAnswer, type GenerationState } from '../lib/progress.js';
import { guestsPath, programsPath } from '../router.js';

const PROGRAM = '/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}';
type Program = Paths[typeof PROGRAM]['get']['responses'][200]['content']['application/json'];

/** The chart is its own chunk: the first screen does not pay for it. */
const ActivityChart = lazy(() => import('../components/ActivityChart.js'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One program: its counters, Generate codes (with progress), and its codes. */
export function ProgramPage(props: { org: string; program: string }) {
  const path = { organization_id: props.org, voucher_program_id: props.program };
  const [program, setProgram] = useState<Program | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [codesVersion, setCodesVersion] = useState(0);

  const load = useCallback(async () => {
    const { data, error: failure, response } = await api.GET(PROGRAM, { params: { path } });
    if (data) setProgram(data);
    else setError(failure?.message ?? t('error_generic', { status: response.status }));
  }, [props.org, props.program]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error) return <p role="alert">{error}</p>;
  if (!program) return <p role="status">{t('loading')}</p>;
  const unique = program.code_scheme === 'MULTI_CODE_SINGLE_REDEEM';
  return (
    <section aria-labelledby="program-title">
      <p>
        <Link to={programsPath(props.org)}>{t('back_to_programs')}</Link> · <Link to={guestsPath(props.org, props.program)}>{t('guests_link')}</Link>
      </p>
      <h1 id="program-title">{program.name}</h1>
      <p className="meta">
        {t(`status_${program.status}`)} · {t(`scheme_${program.code_scheme}`)} · {formatDate(program.starts_at)} – {formatDate(program.ends_at)}
      </p>
      <ProgramActions path={path} program={program} onChanged={() => void load()} />
      <h2>{t('counters')}</h2>
      <dl className="counters">
        <div>
          <dt>{t('counter_codes')}</dt>
          <dd data-testid="counter-codes">{formatNumber(program.total_number_of_codes ?? program.number_of_codes ?? 0)}</dd>
        </div>
        <div>
          <dt>{t('counter_claims')}</dt>
          <dd>{formatNumber(program.usage_voucher_claim_count)}</dd>
        </div>
        <div>
          <dt>{t('counter_trips')}</dt>
          <dd>{formatNumber(program.usage_trip_count)}</dd>
        </div>
        <div>
          <dt>{t('counter_spent')}</dt>
          <dd>
            {formatNumber(program.usage_amount)} {program.usage_amount_currency}
          </dd>
        </div>
        <div>
          <dt>{t('counter_exposure')}</dt>
          <dd data-testid="counter-exposure">
            {program.total_dollar_exposure === undefined ? t('exposure_unbounded') : `${formatNumber(program.total_dollar_exposure)} ${program.currency_code}`}
          </dd>
        </div>
      </dl>
      <Suspense fallback={<p role="status">{t('loading')}</p>}>
        <ActivityChart path={path} program={program} version={codesVersion} />
      </Suspense>
      {unique ? (
        <Generate
          path={path}
          onDone={() => {
            void load();
            setCodesVersion((v) => v + 1);
          }}
        />
      ) : (
        <p>{t('single_code_note')}</p>
      )}
      <CodesTable path={path} version={codesVersion} />
    </section>
  );
}

type Path = { organization_id: string; voucher_program_id: string };

function Generate(props: { path: Path; onDone: () => void }) {
  const [count, setCount] = useState('200');
  const [state, setState] = useState<GenerationState | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [samples, setSamples] = useState<Sample[]>([]);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );

  /** Polls …/codes/generations/{id} until the generation ends, updating the bar. */
  const follow = async (generationId: string, own: boolean) => {
    for (let attempt = 0; live.current; attempt += 1) {
      const { data, response } = await api.GET(`${PROGRAM}/codes/generations/{generation_id}`, {
        params: { path: { ...props.path, generation_id: generationId } },
      });
      if (!data) {
        setMessage(t('error_generic', { status: response.status }));
        return;
      }
      const next: GenerationState = { generation_id: data.generation_id, status: data.status, requested: data.requested, generated: data.generated };
      setState(next);
      setSamples((all) => addSample(all, { at: Date.now(), generated: data.generated }));
      if (!own && data.status === 'IN_PROGRESS') setMessage(t('generation_running', { generated: data.generated, requested: data.requested }));
      if (data.status !== 'IN_PROGRESS') {
        if (!own) setMessage(null);
        props.onDone();
        return;
      }
      const retryAfter = Number(response.headers.get('retry-after') ?? '');
      await sleep(pollDelayMs(attempt, Number.isFinite(retryAfter) ? retryAfter : undefined));
    }
  };

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setMessage(null);
    setBusy(true);
    try {
      const { data, error, response } = await api.POST(`${PROGRAM}/codes/generate`, {
        params: { path: props.path },
        body: { number_of_codes: count.trim() },
      });
      if (data && (response.status === 200 || response.status === 202)) {
        const first = stateFromGenerateAnswer(response.status, data);
        setSamples([{ at: Date.now(), generated: 0 }]);
        setState(first);
        if (response.status === 202) await follow(data.generation_id, true);
        else props.onDone();
        return;
      }
      const running = (error as { metadata?: { generation_id?: unknown } } | undefined)?.metadata?.generation_id;
      if (response.status === 409 && typeof running === 'string') {
        setMessage(t('generation_running_unknown'));
        await follow(running, false);
        return;
      }
      setMessage(response.status === 409 ? t('generation_running_unknown') : (error?.message ?? t('error_generic', { status: response.status })));
    } finally {
      setBusy(false);
    }
  };

  const progress = state ? progressOf(state) : null;
  const rate = rateOf(samples);
  const left = progress && !progress.done ? secondsLeft(progress, rate) : null;
  return (
    <section aria-labelledby="generate-title">
      <h2 id="generate-title">{t('generate_title')}</h2>
      <form onSubmit={(e) => void onSubmit(e)} className="inline-form">
        <label htmlFor="generate-count">{t('generate_count')}</label>
        <input id="generate-count" type="number" min="1" step="1" value={count} onChange={(e) => setCount(e.target.value)} />
        <button type="submit" disabled={busy}>
          {t('generate')}
        </button>
      </form>
      {message ? <p role="alert">{message}</p> : null}
      {progress ? (
        <div className="progress">
          {/* In codes, not percent: assistive technology reads "generated of requested" (docs/console.md). */}
          <progress id="generation-progress" max={Math.max(1, progress.requested)} value={progress.generated} aria-label={t('generation_progress')}>
            {progress.percent}%
          </progress>
          <p role="status" aria-live="polite">
            {progress.failed
              ? t('generation_failed')
              : progress.done
                ? t('generation_done', { requested: formatNumber(progress.requested) })
                : t('generated_of', { generated: formatNumber(progress.generated), requested: formatNumber(progress.requested) })}
          </p>
          {rate !== null && left !== null ? (
            <p data-testid="generation-rate">{t('rate_left', { rate: formatNumber(Math.round(rate)), left: formatDuration(left) })}</p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
