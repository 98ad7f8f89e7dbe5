import { ConfigError, loadConfig, type Config } from '../config.js';
import { AppError } from '../lib/errors.js';
import { translate } from '../lib/i18n.js';
import { SecretBoxError } from '../lib/secret-box.js';
import { SecretsKeyError } from '../lib/secret-keys.js';
import { OrgServiceError } from '../modules/orgs/org.service.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { maskUrlPasswords } from './mask.js';
import { describeStartupError } from './startup-errors.js';
import { NotFoundError, UsageError } from './validate.js';

export interface Failure {
  /** One line, without the `voucherd: ` prefix and without secrets. */
  line: string;
  code: ExitCode;
  usage: boolean;
  /** For a bug: its stack, printed only with LOG_LEVEL=debug or trace. */
  detail?: string;
}

function currentConfig(): Config | undefined {
  try {
    return loadConfig();
  } catch {
    return undefined;
  }
}

/** What a command's error means for the operator: one line and an exit code (README, CLI). */
export function describeFailure(err: unknown): Failure {
  const failure = (code: ExitCode, line: string, usage = false): Failure => ({ code, line: maskUrlPasswords(line.split('\n')[0]!), usage });
  if (err instanceof UsageError || (err as { code?: string } | null)?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    return failure(EXIT.usage, (err as Error).message, true);
  }
  if (err instanceof NotFoundError) return failure(EXIT.notFound, err.message);
  if (err instanceof ConfigError) return failure(EXIT.config, `invalid configuration: ${err.problems.join('; ')}`);
  if (err instanceof SecretsKeyError) return failure(EXIT.config, err.message);
  // A stored value no configured key opens: SECRETS_KEY / SECRETS_KEY_PREVIOUS need fixing.
  if (err instanceof SecretBoxError) return failure(EXIT.config, `a stored secret cannot be opened: ${err.message}`);
  if (err instanceof AppError) {
    return failure(err.kind === 'not_found' ? EXIT.notFound : EXIT.failure, translate('en_US', err.messageKey, err.options.params));
  }
  if (err instanceof OrgServiceError) return failure(EXIT.failure, err.message);
  const config = currentConfig();
  const startup = config ? describeStartupError(err, config) : undefined;
  if (startup !== undefined) return failure(EXIT.config, startup);
  const bug = failure(EXIT.failure, `unexpected error: ${err instanceof Error ? err.message : String(err)}`);
  const verbose = config?.logLevel === 'debug' || config?.logLevel === 'trace';
  return verbose && err instanceof Error && err.stack ? { ...bug, detail: maskUrlPasswords(err.stack) } : bug;
}
