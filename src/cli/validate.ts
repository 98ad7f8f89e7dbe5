import { isEmail } from '../lib/email.js';
import { isUuid } from '../lib/ids.js';
import type { Values } from './options.js';

/** A bad invocation (exit 2): caught before the database is opened, so nothing changes. */
export class UsageError extends Error {}

/** An id that names nothing (exit 3). */
export class NotFoundError extends Error {}

export function optional(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function required(values: Values, name: string): string {
  const value = optional(values, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** Repeatable options also take space- or comma-separated lists. */
export function list(values: Values, name: string): string[] | undefined {
  const value = values[name];
  return Array.isArray(value) ? value.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean) : undefined;
}

export function checkEmail(name: string, value: string): string {
  if (!isEmail(value.trim())) throw new UsageError(`--${name} must be an email address (got "${value}")`);
  return value;
}

export function checkUuid(name: string, value: string): string {
  if (!isUuid(value)) throw new UsageError(`--${name} must be an id like 01900000-0000-7000-8000-000000000000 (got "${value}")`);
  return value;
}

/** Client ids are 32 hex digits today; older ones may differ, so only shape is checked. */
export function checkClientId(name: string, value: string): string {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) throw new UsageError(`--${name} must be a client id (letters, digits, '-' and '_'; got "${value}")`);
  return value;
}

export function checkName(name: string, value: string): string {
  if (value.trim().length === 0 || value.trim().length > 200) throw new UsageError(`--${name} must be 1 to 200 characters`);
  return value;
}

export function checkPassword(name: string, value: string | undefined, min: number): string | undefined {
  if (value !== undefined && value.length < min) throw new UsageError(`--${name} must be at least ${min} characters`);
  return value;
}
