import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { SecretBox } from './secret-box.js';

/** No key-encryption key where one is required (PostgreSQL without SECRETS_KEY / SECRETS_KEY_FILE). */
export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsKeyError';
  }
}

export interface ResolvedSecrets {
  box: SecretBox;
  /** Where the key came from; `local-file` names the file beside the SQLite database. */
  source: 'config' | 'local-file' | 'ephemeral';
  localKeyFile?: string;
  /** True when this process generated the local key file just now. */
  created?: boolean;
}

/** The key file kept beside a SQLite database when no key is configured (docs/secrets.md). */
export function localKeyFilePath(databaseFile: string): string {
  return `${databaseFile}.secrets-key`;
}

function readOrCreateLocalKey(file: string): { key: Buffer; created: boolean } {
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    return { key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new SecretsKeyError(`The key file ${file} does not hold a 32-byte base64 key; restore it or set SECRETS_KEY_FILE`);
  return { key, created: false };
}

/**
 * The secret box of this process: the configured key; without one, SQLite keeps a generated key in
 * a file beside the database (an in-memory database gets a key for the process's lifetime) and
 * PostgreSQL refuses (a production deployment must hold its key apart from its data).
 */
export function resolveSecrets(config: Config, database: Database): ResolvedSecrets {
  if (config.secretsKey !== null) return { box: new SecretBox(config.secretsKey, config.secretsKeyPrevious), source: 'config' };
  if (database.dialect === 'postgres') {
    throw new SecretsKeyError(
      'SECRETS_KEY or SECRETS_KEY_FILE must be set with PostgreSQL: webhook signing keys and stored responses are encrypted with it (create one with: openssl rand -base64 32; see docs/secrets.md)',
    );
  }
  const sqlite = database.sqlite!;
  if (sqlite.memory) return { box: new SecretBox(randomBytes(32), config.secretsKeyPrevious), source: 'ephemeral' };
  const file = localKeyFilePath(sqlite.name);
  const { key, created } = readOrCreateLocalKey(file);
  return { box: new SecretBox(key, config.secretsKeyPrevious), source: 'local-file', localKeyFile: file, created };
}
