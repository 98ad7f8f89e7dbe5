import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from '../api.js';
import { Link } from '../App.js';
import { formatNumber, t } from '../i18n.js';
import type { MessageKey } from '../lib/messages.js';
import {
  EMPTY_GEOFENCE,
  MIN_RANDOM_SYMBOLS,
  RANDOM_SYMBOLS,
  RECURRENCES,
  STEPS,
  STEP_OF_FIELD,
  TRIP_RESTRICTIONS,
  checkProgramForm,
  codeSpace,
  fieldOfApiError,
  type FormErrors,
  type FormField,
  type GeofenceValues,
  type ProgramFormValues,
  type RiderPays,
  type Scheme,
  type Step,
} from '../lib/program-form.js';
import { templateValues, type TemplateWire } from '../lib/program-template.js';
import { navigate, programPath, programsPath } from '../router.js';

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function initialValues(): ProgramFormValues {
  return {
    name: '',
    scheme: 'MULTI_CODE_SINGLE_REDEEM',
    currency_code: 'USD',
    starts_on: today(),
    ends_on: inDays(30),
    value_per_trip_max_amount: '',
    number_of_codes: '100',
    redemptions_per_code: '100',
    description: '',
    timezone: browserZone(),
    rider_pays: 'nothing',
    value_per_trip_deductible: '',
    value_per_trip_percentage: '',
    value_per_period_max_trips: '',
    value_per_period_max_credit: '',
    value_recurrence_period: 'SINGLE',
    trip_restriction_type: '',
    pickup_locations: [],
    dropoff_locations: [],
    code_prefix: '',
    code_length: String(RANDOM_SYMBOLS),
  };
}

/** The fields each step checks before "Next" (the others are checked on their own step). */
function errorsOfStep(errors: FormErrors, step: Step): FormErrors {
  return Object.fromEntries(Object.entries(errors).filter(([field]) => STEP_OF_FIELD[field as FormField] === step));
}

/**
 * Create a program in five steps: basics, value, where, codes, review. Each step's rules run
 * before "Next" (console/src/lib/program-form.ts); the API's 400 opens the step of the field its
 * `metadata.field` names and shows the message there.
 */
export function CreateProgram(props: { org: string }) {
  const [values, setValues] = useState<ProgramFormValues>(initialValues);
  const [step, setStep] = useState<Step>('basics');
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [templates, setTemplates] = useState<TemplateWire[]>([]);
  const [templateNotice, setTemplateNotice] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  useEffect(() => {
    void api
      .GET('/v1/organizations/{organization_id}/voucher-program-templates', { params: { path: { organization_id: props.org } } })
      .then(({ data }) => setTemplates(((data?.voucher_program_templates ?? []) as TemplateWire[]).filter((tpl) => !tpl.is_disabled)));
  }, [props.org]);

  // Each step change moves focus to the step's heading, so keyboard and screen-reader users follow.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [step]);

  const set = <K extends keyof ProgramFormValues>(key: K, value: ProgramFormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const onText = (key: keyof ProgramFormValues) => (e: { target: { value: string } }) => set(key, e.target.value as never);

  const localErrors = (only?: Step): FormErrors => {
    const { errors: all } = checkProgramForm(values);
    return only ? errorsOfStep(all, only) : all;
  };
  const show = (found: FormErrors) => {
    const shown: Partial<Record<FormField, string>> = {};
    for (const [field, rule] of Object.entries(found)) shown[field as FormField] = t(`rule_${rule}` as MessageKey);
    setErrors(shown);
    requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };

  const index = STEPS.indexOf(step);
  const next = () => {
    const found = localErrors(step);
    if (Object.keys(found).length > 0) return show(found);
    setErrors({});
    setStep(STEPS[index + 1]!);
  };
  const back = () => {
    setErrors({});
    setStep(STEPS[index - 1]!);
  };

  const submit = async () => {
    setFormError(null);
    const checked = checkProgramForm(values);
    if (!checked.body) {
      const firstBad = STEPS.find((s) => Object.keys(errorsOfStep(checked.errors, s)).length > 0)!;
      setStep(firstBad);
      return show(errorsOfStep(checked.errors, firstBad));
    }
    setBusy(true);
    const { data, error, response } = await api.POST('/v1/organizations/{organization_id}/voucher-programs', {
      params: { path: { organization_id: props.org } },
      body: checked.body,
    });
    setBusy(false);
    if (data) {
      navigate(programPath(props.org, data.voucher_program_id));
      return;
    }
    const message = error?.message ?? t('error_generic', { status: response.status });
    const field = fieldOfApiError(error);
    if (field) {
      setStep(STEP_OF_FIELD[field]);
      setErrors({ [field]: message });
      requestAnimationFrame(() => document.getElementById(`f-${field}`)?.focus());
    } else setFormError(message);
  };

  const applyTemplate = (id: string) => {
    const tpl = templates.find((x) => x.uuid === id);
    if (!tpl) return;
    setValues((v) => ({ ...v, ...templateValues(tpl) }));
    setTemplateNotice(t('template_applied', { name: tpl.template_name }));
  };

  const field = (name: FormField, label: string, control: (describedBy: string | undefined) => ReactNode, hint?: string) => {
    const ids = [hint ? `h-${name}` : '', errors[name] ? `e-${name}` : ''].filter(Boolean).join(' ') || undefined;
    return (
      <div className="field">
        <label htmlFor={`f-${name}`}>{label}</label>
        {control(ids)}
        {hint ? (
          <p id={`h-${name}`} className="meta">
            {hint}
          </p>
        ) : null}
        {errors[name] ? (
          <p id={`e-${name}`} className="field-error">
            {errors[name]}
          </p>
        ) : null}
      </div>
    );
  };
  const input = (name: FormField, key: keyof ProgramFormValues, labelKey: MessageKey, type: string, extra: Record<string, string> = {}, hint?: string) =>
    field(
      name,
      t(labelKey),
      (describedBy) => (
        <input id={`f-${name}`} type={type} value={values[key] as string} onChange={onText(key)} aria-invalid={errors[name] ? true : undefined} aria-describedby={describedBy} {...extra} />
      ),
      hint,
    );

  const stepTitle = t(`step_${step}` as MessageKey);
  return (
    <section aria-labelledby="create-title" className="narrow">
      <p>
        <Link to={programsPath(props.org)}>{t('back_to_programs')}</Link>
      </p>
      <h1 id="create-title">{t('create_title')}</h1>
      <nav aria-label={t('wizard_steps')}>
        <ol className="steps">
          {STEPS.map((s, i) => (
            <li key={s} aria-current={s === step ? 'step' : undefined} className={i < index ? 'done' : undefined}>
              {t(`step_${s}` as MessageKey)}
            </li>
          ))}
        </ol>
      </nav>
      <h2 id="step-title" tabIndex={-1} ref={heading}>
        {t('step_of', { n: index + 1, total: STEPS.length, name: stepTitle })}
      </h2>
      {formError ? <p role="alert">{formError}</p> : null}
      <form
        aria-labelledby="step-title"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (step === 'review') void submit();
          else next();
        }}
      >
        {step === 'basics' ? (
          <>
            {templates.length > 0 ? (
              <div className="field">
                <label htmlFor="f-template">{t('from_template')}</label>
                <select id="f-template" defaultValue="" onChange={(e) => applyTemplate(e.target.value)}>
                  <option value="">{t('no_template')}</option>
                  {templates.map((tpl) => (
                    <option key={tpl.uuid} value={tpl.uuid}>
                      {tpl.template_name}
                    </option>
                  ))}
                </select>
                {templateNotice ? (
                  <p role="status" className="meta">
                    {templateNotice}
                  </p>
                ) : null}
              </div>
            ) : null}
            <fieldset className="field">
              <legend>{t('field_scheme')}</legend>
              {(['MULTI_CODE_SINGLE_REDEEM', 'SINGLE_CODE_MULTI_REDEEM'] as Scheme[]).map((s) => (
                <label key={s} className="inline">
                  <input type="radio" name="scheme" value={s} checked={values.scheme === s} onChange={() => set('scheme', s)} /> {t(`scheme_${s}`)}
                </label>
              ))}
            </fieldset>
            {input('name', 'name', 'field_name', 'text', { autoComplete: 'off' })}
            {field('description', t('field_description'), (describedBy) => (
              <textarea
                id="f-description"
                rows={3}
                value={values.description}
                onChange={onText('description')}
                aria-invalid={errors.description ? true : undefined}
                aria-describedby={describedBy}
              />
            ))}
            {input('currency_code', 'currency_code', 'field_currency', 'text', { maxLength: '3', autoComplete: 'off' })}
            {field('timezone', t('field_timezone'), (describedBy) => (
              <select id="f-timezone" value={values.timezone} onChange={onText('timezone')} aria-invalid={errors.timezone ? true : undefined} aria-describedby={describedBy}>
                {timeZones(values.timezone).map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            ))}
            {input('starts_at', 'starts_on', 'field_starts', 'date')}
            {input('ends_at', 'ends_on', 'field_ends', 'date')}
          </>
        ) : null}

        {step === 'value' ? (
          <>
            {input('value_per_trip_max_amount', 'value_per_trip_max_amount', 'field_value', 'number', { min: '0', step: '0.01', inputMode: 'decimal' })}
            <fieldset className="field">
              <legend>{t('field_rider_pays')}</legend>
              {(['nothing', 'deductible', 'percentage'] as RiderPays[]).map((p) => (
                <label key={p} className="inline">
                  <input type="radio" name="rider_pays" value={p} checked={values.rider_pays === p} onChange={() => set('rider_pays', p)} /> {t(`rider_pays_${p}`)}
                </label>
              ))}
            </fieldset>
            {values.rider_pays === 'deductible'
              ? input('value_per_trip_deductible', 'value_per_trip_deductible', 'field_deductible', 'number', { min: '0', step: '0.01', inputMode: 'decimal' })
              : null}
            {values.rider_pays === 'percentage'
              ? input('value_per_trip_percentage', 'value_per_trip_percentage', 'field_percentage', 'number', { min: '5', max: '99', step: '1' })
              : null}
            {input('value_per_period_max_credit', 'value_per_period_max_credit', 'field_credit', 'number', { min: '0', step: '0.01', inputMode: 'decimal' }, t('credit_hint'))}
            {input('value_per_period_max_trips', 'value_per_period_max_trips', 'field_trips', 'number', { min: '1', step: '1' })}
            <div className="field">
              <label htmlFor="f-recurrence">{t('field_recurrence')}</label>
              <select id="f-recurrence" value={values.value_recurrence_period} onChange={onText('value_recurrence_period')}>
                {RECURRENCES.map((r) => (
                  <option key={r} value={r}>
                    {t(`recurrence_${r}`)}
                  </option>
                ))}
              </select>
            </div>
          </>
        ) : null}

        {step === 'where' ? (
          <>
            {field('trip_restriction_type', t('field_restriction'), (describedBy) => (
              <select id="f-trip_restriction_type" value={values.trip_restriction_type} onChange={onText('trip_restriction_type')} aria-describedby={describedBy}>
                {TRIP_RESTRICTIONS.map((r) => (
                  <option key={r || 'none'} value={r}>
                    {r ? t(`restriction_${r}`) : t('restriction_none')}
                  </option>
                ))}
              </select>
            ))}
            {values.trip_restriction_type && values.trip_restriction_type !== 'DROPOFF_ONLY' ? (
              <Areas list="pickup_locations" title={t('pickup_areas')} rows={values.pickup_locations ?? []} error={errors.pickup_locations} onChange={(rows) => set('pickup_locations', rows)} />
            ) : null}
            {values.trip_restriction_type && values.trip_restriction_type !== 'PICKUP_ONLY' ? (
              <Areas list="dropoff_locations" title={t('dropoff_areas')} rows={values.dropoff_locations ?? []} error={errors.dropoff_locations} onChange={(rows) => set('dropoff_locations', rows)} />
            ) : null}
          </>
        ) : null}

        {step === 'codes' ? (
          <>
            {values.scheme === 'MULTI_CODE_SINGLE_REDEEM'
              ? input('number_of_codes', 'number_of_codes', 'field_codes', 'number', { min: '1', max: '30000', step: '1' })
              : input('redemptions_per_code', 'redemptions_per_code', 'field_redemptions', 'number', { min: '1', step: '1' })}
            {input('code_format.prefix', 'code_prefix', 'field_prefix', 'text', { maxLength: '8', autoComplete: 'off', spellCheck: 'false' })}
            {input('code_format.length', 'code_length', 'field_code_length', 'number', { min: String(MIN_RANDOM_SYMBOLS), step: '1' })}
            <OddsFeedback values={values} />
          </>
        ) : null}

        {step === 'review' ? <Review values={values} /> : null}

        <div className="actions">
          {index > 0 ? (
            <button type="button" className="secondary" onClick={back}>
              {t('back')}
            </button>
          ) : null}
          {step === 'review' ? (
            <button type="submit" disabled={busy}>
              {t('create')}
            </button>
          ) : (
            <button type="submit">{t('next')}</button>
          )}
          <Link to={programsPath(props.org)}>{t('cancel')}</Link>
        </div>
      </form>
    </section>
  );
}

function timeZones(current: string | undefined): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const list = all.includes('UTC') ? all : ['UTC', ...all];
  return current && !list.includes(current) ? [current, ...list] : list;
}

/** The live guessing odds of the chosen code format (the same rule the API applies). */
function OddsFeedback(props: { values: ProgramFormValues }) {
  const codes = props.values.scheme === 'MULTI_CODE_SINGLE_REDEEM' ? Number(props.values.number_of_codes) || 1 : 1;
  const length = Number(props.values.code_length) || RANDOM_SYMBOLS;
  const space = codeSpace(codes, length);
  const prefix = (props.values.code_prefix ?? '').toUpperCase();
  const example = `${prefix}${'7KQ4XM9TR2HV3CPW6FJN8DLB'.slice(0, Math.max(1, Math.min(length, 24)))}…`;
  return (
    <div className="result" role="status" aria-live="polite" data-testid="odds">
      <p>{space.safe ? t('odds_safe', { codes: formatNumber(codes), length, odds: formatNumber(Math.round(1 / space.odds)) }) : t('odds_unsafe', { codes: formatNumber(codes), minimum: space.minimumLength })}</p>
      <p className="meta">{t('odds_minimum', { codes: formatNumber(codes), minimum: space.minimumLength })}</p>
      <p className="meta">{t('code_example', { example })}</p>
    </div>
  );
}

/** A list of geofences: each row a point, a radius and an address; rows are added and removed. */
function Areas(props: { list: 'pickup_locations' | 'dropoff_locations'; title: string; rows: GeofenceValues[]; error: string | undefined; onChange(rows: GeofenceValues[]): void }) {
  const update = (i: number, key: keyof GeofenceValues, value: string) => props.onChange(props.rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  return (
    <fieldset className="field areas" aria-describedby={props.error ? `e-${props.list}` : undefined}>
      <legend>{props.title}</legend>
      {props.rows.map((row, i) => (
        <div key={i} className="area" role="group" aria-label={t('area_n', { n: i + 1 })}>
          {(['latitude', 'longitude', 'radius', 'address'] as const).map((key) => (
            <label key={key}>
              {t(`field_${key}`)}
              <input
                id={i === 0 && key === 'latitude' ? `f-${props.list}` : undefined}
                type={key === 'address' ? 'text' : 'number'}
                step={key === 'radius' ? '1' : 'any'}
                value={row[key]}
                onChange={(e) => update(i, key, e.target.value)}
                aria-invalid={props.error ? true : undefined}
              />
            </label>
          ))}
          <button type="button" className="secondary small" onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))}>
            {t('remove_area', { n: i + 1 })}
          </button>
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => props.onChange([...props.rows, { ...EMPTY_GEOFENCE }])}>
        {t('add_area')}
      </button>
      {props.error ? (
        <p id={`e-${props.list}`} className="field-error">
          {props.error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** What will be created, in words, before the one request that creates it. */
function Review(props: { values: ProgramFormValues }) {
  const v = props.values;
  const money = (amount: string) => `${amount} ${v.currency_code.toUpperCase()}`;
  const value = [
    v.value_per_trip_max_amount ? t('review_per_trip', { amount: money(v.value_per_trip_max_amount) }) : '',
    v.rider_pays === 'deductible' ? t('review_deductible', { amount: money(v.value_per_trip_deductible ?? '') }) : '',
    v.rider_pays === 'percentage' ? t('review_percentage', { percent: v.value_per_trip_percentage ?? '' }) : '',
    v.value_per_period_max_trips ? t('review_trips', { trips: v.value_per_period_max_trips }) : '',
    v.value_per_period_max_credit ? t('review_credit', { amount: money(v.value_per_period_max_credit) }) : '',
    t(`recurrence_${v.value_recurrence_period ?? 'SINGLE'}`),
  ].filter(Boolean);
  const areas = (v.pickup_locations?.length ?? 0) + (v.dropoff_locations?.length ?? 0);
  const rows: [string, string][] = [
    [t('field_name'), v.name.trim()],
    [t('field_scheme'), t(`scheme_${v.scheme}`)],
    [t('field_starts'), `${v.starts_on} (${v.timezone})`],
    [t('field_ends'), v.ends_on],
    [t('review_value'), value.join(' · ')],
    [t('review_where'), v.trip_restriction_type ? `${t(`restriction_${v.trip_restriction_type}`)} · ${t('review_areas', { count: areas })}` : t('review_anywhere')],
    [
      t('review_codes'),
      v.scheme === 'MULTI_CODE_SINGLE_REDEEM' ? t('review_unique', { count: v.number_of_codes }) : t('review_single', { count: v.redemptions_per_code }),
    ],
  ];
  return (
    <>
      <p>{t('review_intro')}</p>
      <dl className="review" data-testid="review">
        {rows.map(([k, val]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{val}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
