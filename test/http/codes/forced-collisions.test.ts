import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptoRandomSource, type RandomSource } from '../../../src/lib/random.js';
import { bearer, createHarness, type Harness, type Tenant } from '../../helpers/harness.js';

/**
 * A random source that replays the same bytes for its first `replays` fills of each generation
 * size, so the second batch collides with the first code for code — then turns truly random.
 */
class ReplayingSource implements RandomSource {
  private readonly real = new CryptoRandomSource();
  private readonly recorded = new Map<number, Uint8Array>();
  replays = 0;
  fill(target: Uint8Array): void {
    const seen = this.recorded.get(target.length);
    if (seen && this.replays > 0) {
      this.replays--;
      target.set(seen);
      return;
    }
    this.real.fill(target);
    this.recorded.set(target.length, target.slice());
  }
}

let h: Harness;
let tenant: Tenant;
const source = new ReplayingSource();
beforeAll(async () => {
  h = await createHarness({ random: source });
  tenant = await h.seedTenant();
});
afterAll(async () => {
  await h.close();
});

describe('C5: forced collisions still yield exactly n new codes', () => {
  it('replays the previous batch verbatim, the database skips every duplicate, fresh codes fill the gap', async () => {
    const programId = await h.createProgram(tenant, { number_of_codes: 500 });
    const other = await h.createProgram(tenant, { number_of_codes: 1 });
    source.replays = 3; // the next batch draws the very bytes of the first one, three rounds in a row
    const before = await h.ctx.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', programId).execute();
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/organizations/${tenant.organizationId}/voucher-programs/${other}/codes/generate`,
      headers: bearer(tenant.token),
      payload: { number_of_codes: 500 },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(source.replays).toBe(0);
    const rows = await h.ctx.database.db.selectFrom('voucher_codes').select('code_text').where('program_id', '=', other).execute();
    expect(rows).toHaveLength(501);
    const first = new Set(before.map((r) => r.code_text));
    expect(rows.filter((r) => first.has(r.code_text))).toHaveLength(0);
    expect(res.json().total_number_of_codes).toBe(501);
  });
});
