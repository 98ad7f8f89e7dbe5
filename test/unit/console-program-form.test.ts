import { describe, expect, it } from 'vitest';
import { checkProgramForm, dayToEpochMs, fieldOfApiError, MAX_CODES_PER_REQUEST, type ProgramFormValues } from '../../console/src/lib/program-form.js';
import { checkProgramEdit, editFieldOfApiError, editValuesOf, epochMsToDay, type EditableProgram } from '../../console/src/lib/program-edit.js';

const DAY = 86_400_000;
const valid: ProgramFormValues = {
  name: '  Summer rides ',
  scheme: 'MULTI_CODE_SINGLE_REDEEM',
  currency_code: 'usd',
  starts_on: '2027-06-01',
  ends_on: '2027-06-30',
  value_per_trip_max_amount: '12.5',
  number_of_codes: '200',
  redemptions_per_code: '',
};

describe('console create-program form rules', () => {
  it('builds the body: trimmed name, upper-case currency, UTC days, the end day covered whole', () => {
    const { errors, body } = checkProgramForm(valid);
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: 'Summer rides',
      currency_code: 'USD',
      starts_at: Date.UTC(2027, 5, 1),
      ends_at: Date.UTC(2027, 5, 30) + DAY - 1,
      code_scheme: 'MULTI_CODE_SINGLE_REDEEM',
      value_per_trip_max_amount: 12.5,
      number_of_codes: 200,
    });
  });

  it('names each broken field', () => {
    const { errors, body } = checkProgramForm({ ...valid, name: ' ', currency_code: 'US', starts_on: '', ends_on: '2027-02-30', value_per_trip_max_amount: '-1', number_of_codes: '0' });
    expect(body).toBeNull();
    expect(errors).toEqual({ name: 'required', currency_code: 'currency', starts_at: 'required', ends_at: 'date', value_per_trip_max_amount: 'positive_amount', number_of_codes: 'codes_range' });
    expect(checkProgramForm({ ...valid, name: 'x'.repeat(256) }).errors.name).toBe('name_too_long');
    expect(checkProgramForm({ ...valid, value_per_trip_max_amount: '' }).errors.value_per_trip_max_amount).toBe('required');
  });

  it('an end before the start is refused; the same day is one whole day', () => {
    expect(checkProgramForm({ ...valid, ends_on: '2027-05-31' }).errors.ends_at).toBe('ends_before_start');
    expect(checkProgramForm({ ...valid, ends_on: '2027-06-01' }).errors).toEqual({});
  });

  it('MULTI_CODE asks for 1 … MAX_CODES_PER_REQUEST codes; SINGLE_CODE for redemptions per code', () => {
    expect(checkProgramForm({ ...valid, number_of_codes: String(MAX_CODES_PER_REQUEST) }).body?.number_of_codes).toBe(MAX_CODES_PER_REQUEST);
    expect(checkProgramForm({ ...valid, number_of_codes: String(MAX_CODES_PER_REQUEST + 1) }).errors.number_of_codes).toBe('codes_range');
    expect(checkProgramForm({ ...valid, number_of_codes: '1.5' }).errors.number_of_codes).toBe('codes_range');
    const single = checkProgramForm({ ...valid, scheme: 'SINGLE_CODE_MULTI_REDEEM', number_of_codes: 'ignored', redemptions_per_code: '50' });
    expect(single.body).toMatchObject({ code_scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: 50 });
    expect(single.body).not.toHaveProperty('number_of_codes');
    expect(checkProgramForm({ ...valid, scheme: 'SINGLE_CODE_MULTI_REDEEM', redemptions_per_code: '0' }).errors.redemptions_per_code).toBe('redemptions_range');
  });

  it('reads only real calendar days', () => {
    expect(dayToEpochMs('2028-02-29')).toBe(Date.UTC(2028, 1, 29));
    expect(dayToEpochMs('2027-02-29')).toBeNull();
    expect(dayToEpochMs('2027-6-1')).toBeNull();
  });

  it("places an API 400 next to the field its metadata.field names, else at the top", () => {
    expect(fieldOfApiError({ code: 'invalid_request', metadata: { field: 'ends_at' } })).toBe('ends_at');
    expect(fieldOfApiError({ metadata: { field: 'timezone' } })).toBeNull();
    expect(fieldOfApiError({ metadata: {} })).toBeNull();
    expect(fieldOfApiError(null)).toBeNull();
  });
});

const program: EditableProgram = {
  name: 'Rides',
  starts_at: Date.UTC(2027, 0, 1),
  ends_at: Date.UTC(2027, 0, 31) + DAY - 1,
  value_per_trip_max_amount: 20,
  redemptions_per_code: 10,
  code_scheme: 'SINGLE_CODE_MULTI_REDEEM',
};
const before = Date.UTC(2026, 11, 1);
const after = Date.UTC(2027, 0, 10);

describe('console edit-program form rules', () => {
  it('starts from the program and sends only what changed', () => {
    const v = editValuesOf(program);
    expect(v).toEqual({ name: 'Rides', starts_on: '2027-01-01', ends_on: '2027-01-31', value_per_trip_max_amount: '20', redemptions_per_code: '10' });
    expect(checkProgramEdit(program, v, after)).toEqual({ errors: { form: 'nothing_changed' }, body: null });
    expect(checkProgramEdit(program, { ...v, name: ' Rides 2 ', value_per_trip_max_amount: '25' }, after).body).toEqual({ name: 'Rides 2', value_per_trip_max_amount: 25 });
  });

  it('before the start anything may change, down as well as up', () => {
    const v = { ...editValuesOf(program), starts_on: '2027-01-05', ends_on: '2027-01-20', value_per_trip_max_amount: '5', redemptions_per_code: '2' };
    expect(checkProgramEdit(program, v, before)).toEqual({
      errors: {},
      body: { starts_at: Date.UTC(2027, 0, 5), ends_at: Date.UTC(2027, 0, 20) + DAY - 1, value_per_trip_max_amount: 5, redemptions_per_code: 2 },
    });
  });

  it('after the start only increases and extensions: the start is locked, the rest may only grow', () => {
    const v = { ...editValuesOf(program), starts_on: '2027-01-05', ends_on: '2027-01-20', value_per_trip_max_amount: '5', redemptions_per_code: '2' };
    expect(checkProgramEdit(program, v, after)).toEqual({
      errors: { starts_at: 'locked_after_start', ends_at: 'only_later', value_per_trip_max_amount: 'only_higher', redemptions_per_code: 'only_higher' },
      body: null,
    });
    const grow = { ...editValuesOf(program), ends_on: '2027-03-31', value_per_trip_max_amount: '30', redemptions_per_code: '11' };
    expect(checkProgramEdit(program, grow, after).body).toEqual({ ends_at: Date.UTC(2027, 2, 31) + DAY - 1, value_per_trip_max_amount: 30, redemptions_per_code: 11 });
  });

  it('the start instant itself counts as started', () => {
    const v = { ...editValuesOf(program), value_per_trip_max_amount: '19' };
    expect(checkProgramEdit(program, v, program.starts_at - 1).body).toEqual({ value_per_trip_max_amount: 19 });
    expect(checkProgramEdit(program, v, program.starts_at).errors).toEqual({ value_per_trip_max_amount: 'only_higher' });
  });

  it('checks the values themselves and the order of the dates', () => {
    const v = editValuesOf(program);
    expect(checkProgramEdit(program, { ...v, name: '' }, before).errors).toEqual({ name: 'required' });
    expect(checkProgramEdit(program, { ...v, ends_on: '2026-12-01' }, before).errors).toEqual({ ends_at: 'ends_before_start' });
    expect(checkProgramEdit(program, { ...v, ends_on: '' }, before).errors).toEqual({ ends_at: 'required' });
    expect(checkProgramEdit(program, { ...v, value_per_trip_max_amount: 'abc' }, before).errors).toEqual({ value_per_trip_max_amount: 'positive_amount' });
    expect(checkProgramEdit(program, { ...v, redemptions_per_code: '0' }, before).errors).toEqual({ redemptions_per_code: 'redemptions_range' });
  });

  it('a MULTI_CODE program has no redemptions-per-code field to send', () => {
    const multi = { ...program, code_scheme: 'MULTI_CODE_SINGLE_REDEEM' as const, redemptions_per_code: 1 };
    expect(checkProgramEdit(multi, { ...editValuesOf(multi), redemptions_per_code: '5' }, before)).toEqual({ errors: { form: 'nothing_changed' }, body: null });
  });

  it('formats UTC days and maps API fields', () => {
    expect(epochMsToDay(Date.UTC(2027, 0, 31) + DAY - 1)).toBe('2027-01-31');
    expect(editFieldOfApiError({ metadata: { field: 'value_per_trip_max_amount' } })).toBe('value_per_trip_max_amount');
    expect(editFieldOfApiError({ metadata: { field: 'code_scheme' } })).toBeNull();
  });
});
