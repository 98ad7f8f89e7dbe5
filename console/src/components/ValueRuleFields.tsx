import type { ReactNode } from 'react';
import { t } from '../i18n.js';
import type { Scheme, ValueRuleField, ValueRuleValues } from '../lib/program-form.js';

/** One labelled control with its error below it, linked by aria-describedby (`f-{name}` / `e-{name}`). */
export function Field(props: { name: string; label: string; error: string | undefined; children: (describedBy: string | undefined) => ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={`f-${props.name}`}>{props.label}</label>
      {props.children(props.error ? `e-${props.name}` : undefined)}
      {props.error ? (
        <p id={`e-${props.name}`} className="field-error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function TextField(props: { name: string; label: string; value: string; error: string | undefined; onChange: (value: string) => void; type?: string; extra?: Record<string, string> }) {
  return (
    <Field name={props.name} label={props.label} error={props.error}>
      {(describedBy) => (
        <input
          id={`f-${props.name}`}
          type={props.type ?? 'text'}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy}
          {...props.extra}
        />
      )}
    </Field>
  );
}

/**
 * The value rules a program and a template share: scheme, currency, value per trip and, for a single
 * code, its redemptions; `uniqueCodes` takes the place of the last for unique codes (the program form's count).
 */
export function ValueRuleFields<V extends ValueRuleValues>(props: {
  values: V;
  errors: Partial<Record<ValueRuleField, string>>;
  onChange: (values: V) => void;
  uniqueCodes?: ReactNode;
}) {
  const { values, errors } = props;
  const set = (key: keyof ValueRuleValues) => (value: string) => props.onChange({ ...values, [key]: value });
  return (
    <>
      <fieldset className="field">
        <legend>{t('field_scheme')}</legend>
        {(['MULTI_CODE_SINGLE_REDEEM', 'SINGLE_CODE_MULTI_REDEEM'] as Scheme[]).map((s) => (
          <label key={s} className="inline">
            <input type="radio" name="scheme" value={s} checked={values.scheme === s} onChange={() => props.onChange({ ...values, scheme: s })} /> {t(`scheme_${s}`)}
          </label>
        ))}
      </fieldset>
      <TextField name="currency_code" label={t('field_currency')} value={values.currency_code} error={errors.currency_code} onChange={set('currency_code')} extra={{ maxLength: '3', autoComplete: 'off' }} />
      <TextField
        name="value_per_trip_max_amount"
        label={t('field_value')}
        type="number"
        value={values.value_per_trip_max_amount}
        error={errors.value_per_trip_max_amount}
        onChange={set('value_per_trip_max_amount')}
        extra={{ min: '0', step: '0.01', inputMode: 'decimal' }}
      />
      {values.scheme === 'SINGLE_CODE_MULTI_REDEEM' ? (
        <TextField
          name="redemptions_per_code"
          label={t('field_redemptions')}
          type="number"
          value={values.redemptions_per_code}
          error={errors.redemptions_per_code}
          onChange={set('redemptions_per_code')}
          extra={{ min: '1', step: '1' }}
        />
      ) : (
        props.uniqueCodes
      )}
    </>
  );
}
