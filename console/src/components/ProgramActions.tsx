import { useRef, useState } from 'react';
import { api, type Paths } from '../api.js';
import { t } from '../i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { checkProgramEdit, editFieldOfApiError, editValuesOf, hasStarted, type EditErrors, type EditField, type EditValues } from '../lib/program-edit.js';

const PROGRAM = '/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}';
type Program = Paths[typeof PROGRAM]['get']['responses'][200]['content']['application/json'];
type Path = { organization_id: string; voucher_program_id: string };

const LABELS: Record<EditField, MessageKey> = {
  name: 'field_name',
  starts_at: 'field_starts',
  ends_at: 'field_ends',
  value_per_trip_max_amount: 'field_value',
  redemptions_per_code: 'field_redemptions',
};
const KEYS: Record<EditField, keyof EditValues> = {
  name: 'name',
  starts_at: 'starts_on',
  ends_at: 'ends_on',
  value_per_trip_max_amount: 'value_per_trip_max_amount',
  redemptions_per_code: 'redemptions_per_code',
};

function editable(p: Program) {
  return {
    name: p.name,
    starts_at: p.starts_at,
    ends_at: p.ends_at,
    value_per_trip_max_amount: p.value_per_trip_max_amount ?? null,
    redemptions_per_code: p.redemptions_per_code ?? null,
    code_scheme: p.code_scheme,
  };
}

/** Edit program (a modal form following the PATCH rules) and Cancel program (a confirmation dialog). */
export function ProgramActions(props: { path: Path; program: Program; onChanged: () => void }) {
  const edit = useRef<HTMLDialogElement>(null);
  const confirm = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState<EditValues>(() => editValuesOf(editable(props.program)));
  const [errors, setErrors] = useState<Partial<Record<EditField | 'form', string>>>({});
  const [busy, setBusy] = useState(false);
  const closed = props.program.status === 'CANCELED' || props.program.status === 'COMPLETE';
  if (closed) return null;
  const started = hasStarted(props.program, Date.now());

  const open = () => {
    setValues(editValuesOf(editable(props.program)));
    setErrors({});
    edit.current?.showModal();
  };
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkProgramEdit(editable(props.program), values, Date.now());
    const messages = (errs: EditErrors) => Object.fromEntries(Object.entries(errs).map(([k, rule]) => [k, t(`rule_${rule}` as MessageKey)]));
    if (!checked.body) {
      setErrors(messages(checked.errors));
      return;
    }
    setBusy(true);
    try {
      const { data, error, response } = await api.PATCH(PROGRAM, { params: { path: props.path }, body: checked.body });
      if (data) {
        edit.current?.close();
        props.onChanged();
        return;
      }
      const message = (error as { message?: string } | undefined)?.message ?? t('error_generic', { status: response.status });
      setErrors({ [editFieldOfApiError(error) ?? 'form']: message });
    } finally {
      setBusy(false);
    }
  };
  const cancelProgram = async () => {
    setBusy(true);
    try {
      const { response } = await api.POST(`${PROGRAM}/cancel`, { params: { path: props.path }, body: {} });
      confirm.current?.close();
      if (response.ok) props.onChanged();
      else setErrors({ form: t('error_generic', { status: response.status }) });
    } finally {
      setBusy(false);
    }
  };

  const fields: EditField[] = ['name', 'starts_at', 'ends_at', 'value_per_trip_max_amount', ...(props.program.code_scheme === 'SINGLE_CODE_MULTI_REDEEM' ? (['redemptions_per_code'] as const) : [])];
  return (
    <div className="actions">
      <button type="button" className="secondary" onClick={open}>
        {t('edit_program')}
      </button>
      <button type="button" className="danger" onClick={() => confirm.current?.showModal()}>
        {t('cancel_program')}
      </button>
      {errors.form && !edit.current?.open ? <p role="alert">{errors.form}</p> : null}
      <dialog ref={edit} aria-labelledby="edit-title">
        <form onSubmit={(e) => void save(e)} noValidate>
          <h2 id="edit-title">{t('edit_program')}</h2>
          {started ? <p id="edit-note">{t('edit_started_note')}</p> : null}
          {errors.form ? <p role="alert">{errors.form}</p> : null}
          {fields.map((f) => {
            const key = KEYS[f];
            const type = f === 'starts_at' || f === 'ends_at' ? 'date' : f === 'name' ? 'text' : 'number';
            return (
              <div className="field" key={f}>
                <label htmlFor={`edit-${f}`}>{t(LABELS[f])}</label>
                <input
                  id={`edit-${f}`}
                  type={type}
                  value={values[key]}
                  disabled={started && f === 'starts_at'}
                  onChange={(e) => setValues({ ...values, [key]: e.target.value })}
                  aria-invalid={errors[f] ? true : undefined}
                  aria-describedby={errors[f] ? `edit-e-${f}` : undefined}
                  {...(type === 'number' ? { step: f === 'value_per_trip_max_amount' ? '0.01' : '1', min: '0' } : {})}
                />
                {errors[f] ? (
                  <p id={`edit-e-${f}`} className="field-error">
                    {errors[f]}
                  </p>
                ) : null}
              </div>
            );
          })}
          <div className="actions">
            <button type="submit" disabled={busy}>
              {t('save')}
            </button>
            <button type="button" className="secondary" onClick={() => edit.current?.close()}>
              {t('close')}
            </button>
          </div>
        </form>
      </dialog>
      <dialog ref={confirm} aria-labelledby="confirm-title" role="alertdialog">
        <p id="confirm-title">{t('cancel_program_confirm', { name: props.program.name })}</p>
        <div className="actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void cancelProgram()}>
            {t('cancel_program_yes')}
          </button>
          <button type="button" className="secondary" autoFocus onClick={() => confirm.current?.close()}>
            {t('cancel_program_no')}
          </button>
        </div>
      </dialog>
    </div>
  );
}
