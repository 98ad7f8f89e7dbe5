/**
 * The template form's rules (pure: tested in test/unit/console-template-form.test.ts). The value
 * rules are the create-program form's own (program-form.ts); a template adds its name, and a program
 * made from it its window and number of codes.
 */
import { checkCodeCount, checkName, checkValueRules, checkWindow, type FormErrors, type FormRule, type Scheme, type ValueRuleBody, type ValueRuleField, type ValueRuleValues } from './program-form.js';

export interface TemplateFormValues extends ValueRuleValues {
  template_name: string;
}
export type TemplateField = 'template_name' | ValueRuleField;
export type TemplateBody = ValueRuleBody & { template_name: string };

export function checkTemplateForm(v: TemplateFormValues): { errors: Partial<Record<TemplateField, FormRule>>; body: TemplateBody | null } {
  const rules = checkValueRules(v);
  const errors: Partial<Record<TemplateField, FormRule>> = { ...rules.errors };
  const { name, rule } = checkName(v.template_name);
  if (rule) errors.template_name = rule;
  if (Object.keys(errors).length > 0 || !rules.body) return { errors, body: null };
  return { errors, body: { template_name: name, ...rules.body } };
}

/** The form's values for an existing template (Get Voucher Template's fields). */
export function templateToForm(t: {
  template_name: string;
  code_scheme?: Scheme;
  currency_code?: string;
  value_per_trip_max_amount?: number;
  redemptions_per_code?: number;
}): TemplateFormValues {
  return {
    template_name: t.template_name,
    scheme: t.code_scheme ?? 'SINGLE_CODE_MULTI_REDEEM',
    currency_code: t.currency_code ?? '',
    value_per_trip_max_amount: t.value_per_trip_max_amount === undefined ? '' : String(t.value_per_trip_max_amount),
    redemptions_per_code: t.redemptions_per_code === undefined ? '' : String(t.redemptions_per_code),
  };
}

/** Only the fields that differ from the template as loaded: PATCH sends nothing else. */
export function changedTemplateFields(before: TemplateBody, after: TemplateBody): Partial<TemplateBody> {
  const changed: Partial<TemplateBody> = {};
  for (const key of Object.keys(after) as (keyof TemplateBody)[]) {
    if (after[key] !== before[key]) (changed as Record<string, unknown>)[key] = after[key];
  }
  return changed;
}

export interface FromTemplateValues {
  starts_on: string;
  ends_on: string;
  number_of_codes: string;
}
export type FromTemplateField = 'starts_at' | 'ends_at' | 'number_of_codes';
export interface FromTemplateBody {
  template_id: string;
  starts_at: number;
  ends_at: number;
  number_of_codes?: number;
}

/** Create-from-template: the template gives everything else; unique codes need a count. */
export function checkFromTemplate(templateId: string, scheme: Scheme, v: FromTemplateValues): { errors: Partial<Record<FromTemplateField, FormRule>>; body: FromTemplateBody | null } {
  const window = checkWindow(v.starts_on, v.ends_on);
  const errors: FormErrors = { ...window.errors };
  let codes: number | null = null;
  if (scheme === 'MULTI_CODE_SINGLE_REDEEM') {
    codes = checkCodeCount(v.number_of_codes);
    if (codes === null) errors.number_of_codes = 'codes_range';
  }
  if (Object.keys(errors).length > 0) return { errors: errors as Partial<Record<FromTemplateField, FormRule>>, body: null };
  return { errors: {}, body: { template_id: templateId, starts_at: window.startsAt!, ends_at: window.endsAt!, ...(codes !== null ? { number_of_codes: codes } : {}) } };
}
