import { resealAll } from '../../modules/secrets/reseal.service.js';
import { JSON_OPTION } from '../options.js';
import { out, print, withContext, type Command } from '../command.js';

/** Secrets at rest (docs/secrets.md). */
export const SECRETS_COMMANDS: Record<string, Command> = {
  'secrets rotate': {
    usage: 'voucherd secrets rotate [--json]',
    summary:
      'Seal every encrypted value (webhook signing keys, stored idempotent responses) under SECRETS_KEY, opening old ones with SECRETS_KEY_PREVIOUS; safe to re-run (docs/secrets.md).',
    options: JSON_OPTION,
    async run(values, config) {
      const report = await withContext(config, (ctx) => resealAll(ctx, { progress: (line) => (values.json ? undefined : out(line)) }));
      print(values, report, `Done: ${report.resealed} value(s) sealed again, ${report.unchanged} already under the current key.`);
    },
  },
};
