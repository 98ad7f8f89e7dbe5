import { useState } from 'react';
import { api } from '../api.js';
import { Link } from '../App.js';
import { t } from '../i18n.js';
import { checkProgramForm, fieldOfApiError, type FormField, type ProgramFormValues } from '../lib/program-form.js';
import { TextField, ValueRuleFields } from '../components/ValueRuleFields.js';
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

  return (
    <section aria-labelledby="create-title" className="narrow">
      <p>
        <Link to={programsPath(props.org)}>{t('back_to_programs')}</Link>
      </p>
      <h1 id="create-title">{t('create_title')}</h1>
      {formError ? <p role="alert">{formError}</p> : null}
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        <TextField name="name" label={t('field_name')} value={values.name} error={errors.name} onChange={(v) => setValues({ ...values, name: v })} extra={{ autoComplete: 'off' }} />
        <TextField name="starts_at" label={t('field_starts')} type="date" value={values.starts_on} error={errors.starts_at} onChange={(v) => setValues({ ...values, starts_on: v })} />
        <TextField name="ends_at" label={t('field_ends')} type="date" value={values.ends_on} error={errors.ends_at} onChange={(v) => setValues({ ...values, ends_on: v })} />
        <ValueRuleFields
          values={values}
          errors={errors}
          onChange={setValues}
          uniqueCodes={
            <TextField
              name="number_of_codes"
              label={t('field_codes')}
              type="number"
              value={values.number_of_codes}
              error={errors.number_of_codes}
              onChange={(v) => setValues({ ...values, number_of_codes: v })}
              extra={{ min: '1', max: '30000', step: '1' }}
            />
          }
        />
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
