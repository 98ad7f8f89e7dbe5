import { afterAll, beforeAll } from 'vitest';
import { describeAccessMatrix, type OrgRoute } from '../../helpers/access-matrix.js';
import { createHarness, programBody, T0, type Harness } from '../../helpers/harness.js';

/** Every org-scoped route of the service goes through the shared matrix (quality.md B1–B8). */
const ROUTES: OrgRoute[] = [
  {
    name: 'POST voucher-programs (create)',
    method: 'POST',
    url: (org) => `/v1/organizations/${org}/voucher-programs`,
    payload: () => programBody(T0),
    okStatus: 200,
    programScoped: false,
  },
  {
    name: 'GET voucher-programs/{id}',
    method: 'GET',
    url: (org, program) => `/v1/organizations/${org}/voucher-programs/${program}`,
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'POST codes/generate',
    method: 'POST',
    url: (org, program) => `/v1/organizations/${org}/voucher-programs/${program}/codes/generate`,
    payload: () => ({ number_of_codes: 3 }),
    okStatus: 200,
    programScoped: true,
  },
  {
    name: 'GET codes',
    method: 'GET',
    url: (org, program) => `/v1/organizations/${org}/voucher-programs/${program}/codes`,
    okStatus: 200,
    programScoped: true,
  },
];

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

for (const route of ROUTES) describeAccessMatrix(() => h, route);
