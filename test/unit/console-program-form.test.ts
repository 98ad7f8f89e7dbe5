import { describe, expect, it } from 'vitest';
import { checkProgramForm, codeSpace, dayStartInZone, dayToEpochMs, fieldOfApiError, MAX_CODES_PER_REQUEST, STEP_OF_FIELD, type ProgramFormValues } from '../../console/src/lib/program-form.js';
import { templateValues, type TemplateWire } from '../../console/src/lib/program-template.js';
import { assertCodeSpace } from '../../src/modules/programs/program.validation.js';
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
    expect(fieldOfApiError({ metadata: { field: 'timezone' } })).toBe('timezone');
    expect(fieldOfApiError({ metadata: { field: 'code_format.length' } })).toBe('code_format.length');
    expect(fieldOfApiError({ metadata: { field: 'pickup_locations.0.radius' } })).toBe('pickup_locations');
    expect(fieldOfApiError({ metadata: { field: 'voucher_type' } })).toBeNull();
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

describe('console create-program wizard: the further steps', () => {
  it('value: a percentage of 5–99 or a deductible, trips and a credit per period, a recurrence', () => {
    const body = checkProgramForm({ ...valid, rider_pays: 'percentage', value_per_trip_percentage: '80', value_per_period_max_trips: '2', value_recurrence_period: 'DAILY' }).body;
    expect(body).toMatchObject({ value_per_trip_percentage: 80, value_per_period_max_trips: 2, value_recurrence_period: 'DAILY' });
    expect(body).not.toHaveProperty('value_per_trip_deductible');
    expect(checkProgramForm({ ...valid, rider_pays: 'percentage', value_per_trip_percentage: '100' }).errors).toEqual({ value_per_trip_percentage: 'percentage_range' });
    expect(checkProgramForm({ ...valid, rider_pays: 'deductible', value_per_trip_deductible: '' }).errors).toEqual({ value_per_trip_deductible: 'required' });
    expect(checkProgramForm({ ...valid, rider_pays: 'deductible', value_per_trip_deductible: '3' }).body).toMatchObject({ value_per_trip_deductible: 3 });
    // A credit per period alone is enough (the API then caps each trip at the credit) …
    const credit = checkProgramForm({ ...valid, value_per_trip_max_amount: '', value_per_period_max_credit: '40' }).body;
    expect(credit).toMatchObject({ value_per_period_max_credit: 40 });
    expect(credit).not.toHaveProperty('value_per_trip_max_amount');
    // … but a per-trip cap above it is refused, as the API refuses it.
    expect(checkProgramForm({ ...valid, value_per_trip_max_amount: '50', value_per_period_max_credit: '40' }).errors).toEqual({ value_per_trip_max_amount: 'trip_max_above_credit' });
    expect(checkProgramForm({ ...valid, value_per_period_max_trips: '0' }).errors).toEqual({ value_per_period_max_trips: 'trips_range' });
  });

  it('where: the restriction says which list needs an area; each area is checked whole', () => {
    const area = { latitude: '40.6413', longitude: '-73.7781', radius: '2000', address: 'JFK' };
    expect(checkProgramForm({ ...valid, trip_restriction_type: 'PICKUP_ONLY' }).errors).toEqual({ pickup_locations: 'geofence_required' });
    expect(checkProgramForm({ ...valid, trip_restriction_type: 'PICKUP_AND_DROPOFF', pickup_locations: [area] }).errors).toEqual({ dropoff_locations: 'geofence_required' });
    expect(checkProgramForm({ ...valid, trip_restriction_type: 'PICKUP_OR_DROPOFF', dropoff_locations: [area] }).body).toMatchObject({
      trip_restriction_type: 'PICKUP_OR_DROPOFF',
      dropoff_locations: [{ latitude: 40.6413, longitude: -73.7781, radius: 2000, address: 'JFK' }],
    });
    expect(checkProgramForm({ ...valid, trip_restriction_type: 'PICKUP_ONLY', pickup_locations: [{ ...area, radius: '10' }] }).errors).toEqual({ pickup_locations: 'geofence' });
    expect(checkProgramForm({ ...valid, trip_restriction_type: 'PICKUP_ONLY', pickup_locations: [{ ...area, latitude: '91' }] }).errors).toEqual({ pickup_locations: 'geofence' });
    // No restriction: nothing about places is sent.
    expect(checkProgramForm({ ...valid, pickup_locations: [area] }).body).not.toHaveProperty('pickup_locations');
  });

  it('codes: a prefix of alphabet symbols and a length the guessing rule accepts', () => {
    expect(checkProgramForm({ ...valid, code_prefix: 'hpx', code_length: '10' }).body).toMatchObject({ code_format: { prefix: 'HPX', length: 10 } });
    expect(checkProgramForm({ ...valid, code_prefix: 'HOL' }).errors).toEqual({ 'code_format.prefix': 'prefix' });
    expect(checkProgramForm({ ...valid, code_length: '7' }).errors).toEqual({ 'code_format.length': 'code_length' });
    expect(checkProgramForm({ ...valid, number_of_codes: '30000', code_length: '9' }).errors).toEqual({ 'code_format.length': 'code_space' });
    expect(checkProgramForm({ ...valid, number_of_codes: '30000', code_length: '10' }).errors).toEqual({});
  });

  it('the live guessing odds agree with the API on every size and length', () => {
    for (const codes of [1, 2, 100, 1000, 30_000, 1_000_000]) {
      for (let length = 8; length <= 14; length += 1) {
        for (const maxOdds of [1e-9, 1e-6, 1e-12]) {
          let apiAccepts = true;
          try {
            assertCodeSpace({ prefix: '', length }, codes, maxOdds);
          } catch {
            apiAccepts = false;
          }
          const space = codeSpace(codes, length, maxOdds);
          expect(space.safe, `${codes} codes, length ${length}, odds ${maxOdds}`).toBe(apiAccepts);
          if (!apiAccepts) expect(space.minimumLength).toBeGreaterThan(length);
        }
      }
    }
  });

  it("reads the days in the program's time zone, also on a day the clocks change", () => {
    expect(dayStartInZone('2027-06-01', undefined)).toBe(Date.UTC(2027, 5, 1));
    expect(dayStartInZone('2027-06-01', 'America/New_York')).toBe(Date.UTC(2027, 5, 1, 4));
    expect(dayStartInZone('2027-01-15', 'Europe/Paris')).toBe(Date.UTC(2027, 0, 14, 23));
    // 2027-03-14: New York moves to EDT at 02:00, so that day starts at 05:00 UTC, the next at 04:00.
    expect(dayStartInZone('2027-03-14', 'America/New_York')).toBe(Date.UTC(2027, 2, 14, 5));
    const body = checkProgramForm({ ...valid, timezone: 'America/New_York', starts_on: '2027-03-14', ends_on: '2027-03-14' }).body;
    expect(body).toMatchObject({ timezone: 'America/New_York', starts_at: Date.UTC(2027, 2, 14, 5), ends_at: Date.UTC(2027, 2, 15, 4) - 1 });
  });

  it('every field belongs to a step, so an API 400 can always open the right one', () => {
    expect(Object.values(STEP_OF_FIELD).every((step) => ['basics', 'value', 'where', 'codes'].includes(step))).toBe(true);
  });

  it('a template fills in only what it presets', () => {
    const tpl = {
      uuid: 't1',
      created_at: 0,
      is_disabled: false,
      template_name: 'Airport',
      name: 'Airport rides',
      timezone: 'Europe/Paris',
      is_fully_covered: false,
      percentage: 50,
      value_per_trip_max_amount: 30,
      trip_restriction_type: 'PICKUP_ONLY',
      pickup_locations: [{ latitude: 49, longitude: 2.55, radius: 3000, address: 'CDG' }],
    } as TemplateWire;
    expect(templateValues(tpl)).toEqual({
      name: 'Airport rides',
      timezone: 'Europe/Paris',
      value_per_trip_max_amount: '30',
      rider_pays: 'percentage',
      value_per_trip_percentage: '50',
      trip_restriction_type: 'PICKUP_ONLY',
      pickup_locations: [{ latitude: '49', longitude: '2.55', radius: '3000', address: 'CDG' }],
    });
  });
});
