import { describe, expect, it } from 'vitest';
import { countersToWire } from '../../src/modules/webhooks/wire-counters.js';

describe('webhook counters in their wire form (decimal strings, as Uber sends them)', () => {
  it('counts as integer strings, amounts with a fraction digit, other fields untouched', () => {
    expect(
      countersToWire({ usage_trip_count: 3, usage_amount: 100, covered_amount: 12.5, total_number_of_codes: 0, voucher_id: 'v', code_ids: ['a'], code_scheme: 'X' }),
    ).toEqual({ usage_trip_count: '3', usage_amount: '100.0', covered_amount: '12.5', total_number_of_codes: '0', voucher_id: 'v', code_ids: ['a'], code_scheme: 'X' });
  });
});
