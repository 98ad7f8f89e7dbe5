import { describe, expect, it } from 'vitest';
import { demoInstructions, noDemoInstructions } from '../../src/cli/demo.js';

const RESULT = {
  organization_id: 'org-1',
  admin: { user_id: 'u-1', email: 'admin@example.com', password: 'pw' },
  client: { client_id: 'c-1', client_secret: 's-1', scopes: ['organizations.voucher_programs'] },
};

describe('start banner says which environment this is', () => {
  it('production', () => {
    expect(demoInstructions('http://127.0.0.1:8080', RESULT as never)).toMatch(/^\s*voucherd environment: production\n/);
    expect(noDemoInstructions()).toMatch(/^\s*voucherd environment: production\n/);
    expect(demoInstructions('http://127.0.0.1:8080', RESULT as never)).not.toMatch(/sandbox/i);
  });

  it('sandbox, with a pointer to the trip simulation; the pasteable script is unchanged', () => {
    const sandbox = demoInstructions('http://127.0.0.1:8081', RESULT as never, 'sandbox');
    expect(sandbox).toMatch(/^\s*voucherd environment: SANDBOX/);
    expect(sandbox).toContain('POST /v1/sandbox/terminal-state-trip-run');
    const script = (text: string) => text.slice(text.indexOf('export VOUCHERD='));
    expect(script(sandbox)).toBe(script(demoInstructions('http://127.0.0.1:8081', RESULT as never)));
    expect(noDemoInstructions('sandbox')).toMatch(/^\s*voucherd environment: SANDBOX/);
  });
});
