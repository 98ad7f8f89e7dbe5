import { useState, type ReactNode } from 'react';
import { api } from '../api.js';
import { Link } from '../App.js';
import { t } from '../i18n.js';
import { checkProgramForm, fieldOfApiError, type FormField, type ProgramFormValues, type Scheme } from '../lib/program-form.js';
import { navigate, programPath, programsPath } from '../router.js';

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** Create a program: unique codes or a single code. The API's 400 is shown at the field it names. */
export function CreateProgram(props: { org: string }) {
  const [values, setValues] = useState<ProgramFormValues>({
    name: '',
    scheme: 'MULTI_CODE_SINGLE_REDEEM',
    currency_code: 'USD',
    starts_on: today(),
    ends_on: inDays(30),
    value_per_trip_max_amount: '',
    number_of_codes: '100',
    redemptions_per_code: '100',
  });
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (key: keyof ProgramFormValues) => (e: { target: { value: string } }) => setValues({ ...values, [key]: e.target.value });

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const checked = checkProgramForm(values);
    const local: Partial<Record<FormField, string>> = {};
    for (const [field, rule] of Object.entries(checked.errors)) local[field as FormField] = t(`rule_${rule}`);
    setErrors(local);
    if (!checked.body) {
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
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
      setErrors({ [field]: message });
      requestAnimationFrame(() => document.getElementById(`f-${field}`)?.focus());
    } else setFormError(message);
  };

  const field = (name: FormField, label: string, control: (describedBy: string | undefined) => ReactNode) => (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      {control(errors[name] ? `e-${name}` : undefined)}
      {errors[name] ? (
        <p id={`e-${name}`} className="field-error">
          {errors[name]}
        </p>
      ) : null}
    </div>
  );
  const input = (name: FormField, key: keyof ProgramFormValues, type: string, extra: Record<string, string> = {}) =>
    field(name, t(LABELS[name]), (describedBy) => (
      <input id={`f-${name}`} type={type} value={values[key]} onChange={set(key)} aria-invalid={errors[name] ? true : undefined} aria-describedby={describedBy} {...extra} />
    ));

  return (
    <section aria-labelledby="create-title" className="narrow">
      <p>
        <Link to={programsPath(props.org)}>{t('back_to_programs')}</Link>
      </p>
      <h1 id="create-title">{t('create_title')}</h1>
      {formError ? <p role="alert">{formError}</p> : null}
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        {input('name', 'name', 'text', { autoComplete: 'off' })}
        <fieldset className="field">
          <legend>{t('field_scheme')}</legend>
          {(['MULTI_CODE_SINGLE_REDEEM', 'SINGLE_CODE_MULTI_REDEEM'] as Scheme[]).map((s) => (
            <label key={s} className="inline">
              <input type="radio" name="scheme" value={s} checked={values.scheme === s} onChange={() => setValues({ ...values, scheme: s })} /> {t(`scheme_${s}`)}
            </label>
          ))}
        </fieldset>
        {input('currency_code', 'currency_code', 'text', { maxLength: '3', autoComplete: 'off' })}
        {input('starts_at', 'starts_on', 'date')}
        {input('ends_at', 'ends_on', 'date')}
        {input('value_per_trip_max_amount', 'value_per_trip_max_amount', 'number', { min: '0', step: '0.01', inputMode: 'decimal' })}
        {values.scheme === 'MULTI_CODE_SINGLE_REDEEM'
          ? input('number_of_codes', 'number_of_codes', 'number', { min: '1', max: '30000', step: '1' })
          : input('redemptions_per_code', 'redemptions_per_code', 'number', { min: '1', step: '1' })}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {t('create')}
          </button>
          <Link to={programsPath(props.org)}>{t('cancel')}</Link>
        </div>
      </form>
    </section>
  );
}

const LABELS = {
  name: 'field_name',
  currency_code: 'field_currency',
  starts_at: 'field_starts',
  ends_at: 'field_ends',
  value_per_trip_max_amount: 'field_value',
  number_of_codes: 'field_codes',
  redemptions_per_code: 'field_redemptions',
} as const satisfies Record<FormField, string>;
