import { describe, expect, it } from 'vitest';
import { addSeenGenerations, codesQuery, NO_CODE_FILTERS } from '../../console/src/lib/code-filters.js';
import { changedTemplateFields, checkFromTemplate, checkTemplateForm, templateToForm } from '../../console/src/lib/template-form.js';

const good = { template_name: ' Night shift ', scheme: 'MULTI_CODE_SINGLE_REDEEM' as const, currency_code: 'eur', value_per_trip_max_amount: '12.5', redemptions_per_code: '' };

describe('template form rules (console/src/lib/template-form.ts)', () => {
  it('builds the body with the create form value rules', () => {
    expect(checkTemplateForm(good)).toEqual({
      errors: {},
      body: { template_name: 'Night shift', code_scheme: 'MULTI_CODE_SINGLE_REDEEM', currency_code: 'EUR', value_per_trip_max_amount: 12.5 },
    });
    expect(checkTemplateForm({ ...good, scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: '40' }).body?.redemptions_per_code).toBe(40);
  });

  it('names every broken field, as the create form does', () => {
    expect(checkTemplateForm({ template_name: ' ', scheme: 'SINGLE_CODE_MULTI_REDEEM', currency_code: 'EU', value_per_trip_max_amount: '-1', redemptions_per_code: '0' })).toEqual({
      errors: { template_name: 'required', currency_code: 'currency', value_per_trip_max_amount: 'positive_amount', redemptions_per_code: 'redemptions_range' },
      body: null,
    });
    expect(checkTemplateForm({ ...good, template_name: 'x'.repeat(256) }).errors).toEqual({ template_name: 'name_too_long' });
    expect(checkTemplateForm({ ...good, value_per_trip_max_amount: '' }).errors).toEqual({ value_per_trip_max_amount: 'required' });
  });

  it('round-trips a template and sends only what changed', () => {
    const values = templateToForm({ template_name: 'A', code_scheme: 'SINGLE_CODE_MULTI_REDEEM', currency_code: 'USD', value_per_trip_max_amount: 5, redemptions_per_code: 3 });
    expect(values).toEqual({ template_name: 'A', scheme: 'SINGLE_CODE_MULTI_REDEEM', currency_code: 'USD', value_per_trip_max_amount: '5', redemptions_per_code: '3' });
    const before = checkTemplateForm(values).body!;
    const after = checkTemplateForm({ ...values, template_name: 'B', redemptions_per_code: '4' }).body!;
    expect(changedTemplateFields(before, after)).toEqual({ template_name: 'B', redemptions_per_code: 4 });
    expect(changedTemplateFields(before, before)).toEqual({});
  });

  it('a program from a template needs a window, and a count for unique codes only', () => {
    const window = { starts_on: '2030-01-01', ends_on: '2030-01-31', number_of_codes: '' };
    expect(checkFromTemplate('t1', 'SINGLE_CODE_MULTI_REDEEM', window)).toEqual({
      errors: {},
      body: { template_id: 't1', starts_at: Date.UTC(2030, 0, 1), ends_at: Date.UTC(2030, 1, 1) - 1 },
    });
    expect(checkFromTemplate('t1', 'MULTI_CODE_SINGLE_REDEEM', window).errors).toEqual({ number_of_codes: 'codes_range' });
    expect(checkFromTemplate('t1', 'MULTI_CODE_SINGLE_REDEEM', { ...window, number_of_codes: '30' }).body?.number_of_codes).toBe(30);
    expect(checkFromTemplate('t1', 'SINGLE_CODE_MULTI_REDEEM', { ...window, ends_on: '2029-12-31' }).errors).toEqual({ ends_at: 'ends_before_start' });
  });
});

describe('codes table filters (console/src/lib/code-filters.ts)', () => {
  it('sends only the filters that are set, the code text trimmed', () => {
    expect(codesQuery(NO_CODE_FILTERS, 50)).toEqual({ limit: 50 });
    expect(codesQuery({ status: 'CANCELED', generation: 'g1', code: ' ab-cd ' }, 50, 'tok')).toEqual({ limit: 50, page_token: 'tok', status: 'CANCELED', generation_id: 'g1', code: 'ab-cd' });
    expect(codesQuery({ ...NO_CODE_FILTERS, code: '   ' }, 10)).toEqual({ limit: 10 });
  });

  it('collects the generations of the codes seen, oldest first, each once', () => {
    const seen = addSeenGenerations([], [
      { generation_id: 'b', created_at: 20 },
      { generation_id: 'a', created_at: 10 },
      { generation_id: null, created_at: 5 },
      { generation_id: 'b', created_at: 15 },
    ]);
    expect(seen).toEqual([
      { id: 'a', firstCodeAt: 10 },
      { id: 'b', firstCodeAt: 15 },
    ]);
    expect(addSeenGenerations(seen, [{ generation_id: 'a', created_at: 11 }])).toBe(seen);
  });
});
