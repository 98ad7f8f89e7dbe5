import { useCallback, useEffect, useState } from 'react';
import { api, type Paths } from '../api.js';
import { Link } from '../App.js';
import { TextField, ValueRuleFields } from '../components/ValueRuleFields.js';
import { formatNumber, t } from '../i18n.js';
import { apiErrorField } from '../lib/program-form.js';
import {
  changedTemplateFields,
  checkFromTemplate,
  checkTemplateForm,
  templateToForm,
  type FromTemplateField,
  type FromTemplateValues,
  type TemplateField,
  type TemplateFormValues,
} from '../lib/template-form.js';
import { navigate, programPath, programsPath } from '../router.js';

const TEMPLATES = '/v1/organizations/{organization_id}/voucher-program-templates';
type Template = Paths[typeof TEMPLATES]['get']['responses'][200]['content']['application/json']['voucher_program_templates'][number];

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const NEW_TEMPLATE: TemplateFormValues = { template_name: '', scheme: 'MULTI_CODE_SINGLE_REDEEM', currency_code: 'USD', value_per_trip_max_amount: '', redemptions_per_code: '100' };
const TEMPLATE_FIELDS: readonly TemplateField[] = ['template_name', 'currency_code', 'value_per_trip_max_amount', 'redemptions_per_code'];
const FROM_FIELDS: readonly FromTemplateField[] = ['starts_at', 'ends_at', 'number_of_codes'];

/** Shows an API 400 at the field its metadata.field names when the form has it, else above the form. */
function placeApiError<F extends string>(error: unknown, message: string, fields: readonly F[], setErrors: (e: Partial<Record<F, string>>) => void, setTop: (m: string) => void): void {
  const field = apiErrorField(error);
  if (field !== null && (fields as readonly string[]).includes(field)) {
    setErrors({ [field]: message } as Partial<Record<F, string>>);
    requestAnimationFrame(() => document.getElementById(`f-${field}`)?.focus());
  } else setTop(message);
}

/** The organization's templates: list, create, edit, and create a program from one (docs/console.md, Templates). */
export function Templates(props: { org: string }) {
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  const [from, setFrom] = useState<Template | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error: failure, response } = await api.GET(TEMPLATES, { params: { path: { organization_id: props.org } } });
    if (data) setTemplates(data.voucher_program_templates);
    else setError(failure?.message ?? t('error_generic', { status: response.status }));
  }, [props.org]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="templates-title">
      <p>
        <Link to={programsPath(props.org)}>{t('back_to_programs')}</Link>
      </p>
      <h1 id="templates-title">{t('templates_title')}</h1>
      {error ? <p role="alert">{error}</p> : null}
      {notice ? <p role="status">{notice}</p> : null}
      <p>
        <button
          type="button"
          onClick={() => {
            setFrom(null);
            setNotice(null);
            setEditing('new');
          }}
        >
          {t('template_new')}
        </button>
      </p>
      {templates === null ? (
        <p role="status">{t('loading')}</p>
      ) : templates.length === 0 ? (
        <p>{t('templates_none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('col_template')}</th>
              <th scope="col">{t('col_scheme')}</th>
              <th scope="col" className="num">
                {t('col_value')}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t('col_actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {templates.map((tpl) => (
              <tr key={tpl.uuid}>
                <td>
                  {tpl.template_name}
                  {tpl.is_disabled ? ` (${t('template_disabled')})` : ''}
                </td>
                <td>{tpl.code_scheme ? t(`scheme_${tpl.code_scheme}`) : '—'}</td>
                <td className="num">{tpl.value_per_trip_max_amount !== undefined ? `${formatNumber(tpl.value_per_trip_max_amount)} ${tpl.currency_code ?? ''}` : '—'}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="secondary"
                    aria-label={t('template_edit', { name: tpl.template_name })}
                    onClick={() => {
                      setFrom(null);
                      setNotice(null);
                      setEditing(tpl);
                    }}
                  >
                    {t('edit')}
                  </button>
                  {!tpl.is_disabled ? (
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => {
                        setEditing(null);
                        setNotice(null);
                        setFrom(tpl);
                      }}
                    >
                      {t('template_from', { name: tpl.template_name })}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing ? (
        <TemplateForm
          key={editing === 'new' ? 'new' : editing.uuid}
          org={props.org}
          template={editing === 'new' ? null : editing}
          onSaved={(message) => {
            setEditing(null);
            setNotice(message);
            void load();
          }}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {from ? <FromTemplateForm key={from.uuid} org={props.org} template={from} onClose={() => setFrom(null)} /> : null}
    </section>
  );
}

function TemplateForm(props: { org: string; template: Template | null; onSaved: (message: string) => void; onClose: () => void }) {
  const initial = props.template ? templateToForm(props.template) : NEW_TEMPLATE;
  const [values, setValues] = useState<TemplateFormValues>(initial);
  const [errors, setErrors] = useState<Partial<Record<TemplateField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const checked = checkTemplateForm(values);
    const local: Partial<Record<TemplateField, string>> = {};
    for (const [field, rule] of Object.entries(checked.errors)) local[field as TemplateField] = t(`rule_${rule}`);
    setErrors(local);
    if (!checked.body) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>('#template-form [aria-invalid="true"]')?.focus());
      return;
    }
    setBusy(true);
    const before = props.template ? checkTemplateForm(initial).body : null;
    const answer = props.template
      ? await api.PATCH(`${TEMPLATES}/{template_id}`, {
          params: { path: { organization_id: props.org, template_id: props.template.uuid } },
          body: before ? changedTemplateFields(before, checked.body) : checked.body,
        })
      : await api.POST(TEMPLATES, { params: { path: { organization_id: props.org } }, body: checked.body });
    setBusy(false);
    if (answer.data) {
      props.onSaved(t(props.template ? 'template_saved' : 'template_created'));
      return;
    }
    placeApiError(answer.error, answer.error?.message ?? t('error_generic', { status: answer.response.status }), TEMPLATE_FIELDS, setErrors, setFormError);
  };

  const title = props.template ? t('template_edit', { name: props.template.template_name }) : t('template_new');
  return (
    <section aria-labelledby="template-form-title" className="narrow">
      <h2 id="template-form-title">{title}</h2>
      {formError ? <p role="alert">{formError}</p> : null}
      <form id="template-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <TextField
          name="template_name"
          label={t('field_template_name')}
          value={values.template_name}
          error={errors.template_name}
          onChange={(v) => setValues({ ...values, template_name: v })}
          extra={{ autoComplete: 'off' }}
        />
        <ValueRuleFields values={values} errors={errors} onChange={setValues} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {props.template ? t('template_save') : t('template_create')}
          </button>
          <button type="button" className="secondary" onClick={props.onClose}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

/**
 * A program from a template through POST …/create-from-template: the API merges every preset of the
 * template (also those this screen does not show), so the console only adds the window and the count.
 */
function FromTemplateForm(props: { org: string; template: Template; onClose: () => void }) {
  const scheme = props.template.code_scheme ?? 'SINGLE_CODE_MULTI_REDEEM';
  const [values, setValues] = useState<FromTemplateValues>({ starts_on: today(), ends_on: inDays(30), number_of_codes: '100' });
  const [errors, setErrors] = useState<Partial<Record<FromTemplateField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const checked = checkFromTemplate(props.template.uuid, scheme, values);
    const local: Partial<Record<FromTemplateField, string>> = {};
    for (const [field, rule] of Object.entries(checked.errors)) local[field as FromTemplateField] = t(`rule_${rule}`);
    setErrors(local);
    if (!checked.body) return;
    setBusy(true);
    const { data, error, response } = await api.POST('/v1/organizations/{organization_id}/voucher-programs/create-from-template', {
      params: { path: { organization_id: props.org } },
      body: checked.body,
    });
    setBusy(false);
    if (data) {
      navigate(programPath(props.org, data.voucher_program_id));
      return;
    }
    placeApiError(error, error?.message ?? t('error_generic', { status: response.status }), FROM_FIELDS, setErrors, setFormError);
  };

  return (
    <section aria-labelledby="from-template-title" className="narrow">
      <h2 id="from-template-title">{t('template_from_title', { name: props.template.template_name })}</h2>
      <p>{t('template_from_note')}</p>
      {formError ? <p role="alert">{formError}</p> : null}
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        <TextField name="starts_at" label={t('field_starts')} type="date" value={values.starts_on} error={errors.starts_at} onChange={(v) => setValues({ ...values, starts_on: v })} />
        <TextField name="ends_at" label={t('field_ends')} type="date" value={values.ends_on} error={errors.ends_at} onChange={(v) => setValues({ ...values, ends_on: v })} />
        {scheme === 'MULTI_CODE_SINGLE_REDEEM' ? (
          <TextField
            name="number_of_codes"
            label={t('field_codes')}
            type="number"
            value={values.number_of_codes}
            error={errors.number_of_codes}
            onChange={(v) => setValues({ ...values, number_of_codes: v })}
            extra={{ min: '1', max: '30000', step: '1' }}
          />
        ) : null}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {t('template_from_submit')}
          </button>
          <button type="button" className="secondary" onClick={props.onClose}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
