import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { bootstrap } from '../../src/modules/oauth/bootstrap.service.js';
import { startFormation, type Formation } from '../helpers/pg-auto-failover.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';

/**
 * docs/guarantees.md, docs/postgres-topologies.md "Failover": a real pg_auto_failover formation
 * fails over (planned switchover, or SIGKILL of the primary) under a write load against a real
 * `voucherd serve` on the two-host URL. Every acknowledged write is on the new primary with its
 * exact content, no answer is a 500 (only 2xx, or 503 + Retry-After), /readyz returns to 200.
 */
const TRIALS = Math.min(Number(process.env.FAULT_TRIALS ?? 4), 4);
const LOOPS = 4;

let formation: Formation;
let server: ServerProcess;
let org: string;
let bearer: string;

beforeAll(async () => {
  formation = await startFormation();
  const database = openDatabase(formation.url);
  try {
    await migrateToLatest(database);
    const tenant = await bootstrap(createContext(loadConfig({}), database), { orgName: 'Failover', adminEmail: 'failover@example.com', adminPassword: 'long enough pass' });
    org = tenant.organization_id;
    server = await startServerProcess({ DATABASE_URL: formation.url });
    const res = await fetch(`${server.url}/oauth/v2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${tenant.client.client_id}:${tenant.client.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    bearer = ((await res.json()) as { access_token: string }).access_token;
  } finally {
    await database.close();
  }
}, 180_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  await formation?.stop();
});

interface Ack {
  id: string;
  name: string;
  codes: number;
  /** When the request was sent and when its 200 arrived (ms since the epoch). */
  sentAt: number;
  ackedAt: number;
}

describe(`failover of PostgreSQL under a write load (${TRIALS} trials)`, () => {
  it('loses no acknowledged write, answers only 2xx or 503 + Retry-After, and is ready again', async () => {
    const settings = await formation.replicationSettings();
    // An acknowledged commit must be on the standby too (pg_auto_failover's default).
    expect(settings.synchronousStandbyNames).not.toBe('');
    expect(settings.synchronousCommit).toBe('on');
    const figures: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const crash = trial % 2 === 1;
      const acks: Ack[] = [];
      const bad: string[] = [];
      let faultAt = 0;
      let promotedAt = 0;
      let firstAckOnNewPrimary = 0;
      let stop = false;
      let seq = 0;
      const loop = async (l: number) => {
        while (!stop) {
          const codes = 1 + ((seq + l) % 4);
          const name = `T${trial} L${l} #${seq++}`;
          const now = Date.now();
          try {
            const res = await fetch(`${server.url}/v1/organizations/${org}/voucher-programs`, {
              method: 'POST',
              headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
              body: JSON.stringify({ name, currency_code: 'USD', starts_at: now, ends_at: now + 86_400_000, code_scheme: 'MULTI_CODE_SINGLE_REDEEM', number_of_codes: codes, value_per_trip_max_amount: 20 }),
            });
            const body = (await res.json()) as { voucher_program_id?: string };
            if (res.status === 200) {
              const ackedAt = Date.now();
              acks.push({ id: body.voucher_program_id!, name, codes, sentAt: now, ackedAt });
              // A write sent after the standby was promoted can only have committed on the new primary.
              if (promotedAt && now > promotedAt && !firstAckOnNewPrimary) firstAckOnNewPrimary = ackedAt;
            } else if (res.status === 503 && res.headers.get('retry-after')) {
              await new Promise((r) => setTimeout(r, 100));
            } else bad.push(`${res.status} ${JSON.stringify(body)}`);
          } catch (err) {
            bad.push(`request failed: ${String(err)}`);
          }
        }
      };
      const before = await formation.currentPrimary();
      const loops = Array.from({ length: LOOPS }, (_, l) => loop(l));
      await new Promise((r) => setTimeout(r, 1000));
      const acksBefore = acks.length;
      faultAt = Date.now();
      const crashed = crash ? await formation.crashPrimary() : undefined;
      if (!crash) await formation.switchover();
      const deadline = Date.now() + 90_000;
      // The load goes on until the standby is promoted and a write sent after that is acknowledged.
      while (!promotedAt && Date.now() < deadline) {
        const now = await formation.currentPrimary().catch(() => before);
        if (now.name !== before.name) promotedAt = Date.now();
        else await new Promise((r) => setTimeout(r, 200));
      }
      while (!firstAckOnNewPrimary && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 500));
      stop = true;
      await Promise.all(loops);
      expect(promotedAt, `trial ${trial}: the standby was not promoted\n${formation.output().slice(-2000)}`).toBeGreaterThan(0);
      expect(firstAckOnNewPrimary, `trial ${trial}: no write acknowledged by the new primary\n${server.output().slice(-2000)}`).toBeGreaterThan(0);
      // What a client saw: the longest stretch without an acknowledged write around the fault.
      const times = [faultAt, ...acks.map((a) => a.ackedAt).filter((t) => t >= faultAt)].sort((a, b) => a - b);
      const outage = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
      expect(bad, `trial ${trial}`).toEqual([]);
      const primary = await formation.currentPrimary();
      expect(primary.name).not.toBe(before.name);
      // Every acknowledged program is on the new primary, with its name and exactly its codes.
      const client = new pg.Client({ connectionString: formation.nodeUrl(primary) });
      await client.connect();
      try {
        const { rows } = await client.query<{ id: string; name: string; total: number; rows: number }>(
          `select p.id, p.name, p.total_number_of_codes as total, (select count(*) from voucher_codes c where c.program_id = p.id)::int as rows
           from voucher_programs p where p.id = any($1)`,
          [acks.map((a) => a.id)],
        );
        const found = new Map(rows.map((r) => [r.id, r]));
        const lost = acks.filter((a) => {
          const r = found.get(a.id);
          return !r || r.name !== a.name || Number(r.total) !== a.codes || r.rows !== a.codes;
        });
        expect(lost, `trial ${trial}: acknowledged writes missing on the new primary`).toEqual([]);
      } finally {
        await client.end();
      }
      let ready = 0;
      for (let i = 0; i < 100 && ready !== 200; i++) {
        ready = (await fetch(`${server.url}/readyz`)).status;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(200);
      figures.push(`trial ${trial} ${crash ? 'crash' : 'switchover'}: no write acknowledged for ${outage} ms at most, the new primary's first after ${firstAckOnNewPrimary - faultAt} ms; ${acks.length} acknowledged (${acksBefore} before), 0 lost`);
      if (crashed) formation.restart(crashed);
      await formation.waitHealthy();
    }
    console.log(figures.join('\n'));
  }, 600_000);
});
