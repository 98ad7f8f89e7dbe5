import { isEmail } from '../../lib/email.js';
import { invalidRequest } from '../../lib/errors.js';

const E164 = /^\+[1-9][0-9]{6,14}$/;

export interface GuestContact {
  email: string | null;
  phone: string | null;
}

/**
 * Checks and normalizes one guest's contact (docs/programs.md: email/phone validated). Emails compare
 * case-insensitively (lowercased); phones must be E.164 once spaces, dashes, dots and parentheses are removed.
 */
export function normalizeContact(guest: { email?: string; phone?: string }, index: number): GuestContact {
  const email = guest.email?.trim() || undefined;
  const phone = guest.phone?.replace(/[\s().-]/g, '') || undefined;
  if (!email && !phone) throw invalidRequest('guest_contact_required', { index }, `guests[${index}]`);
  if (email !== undefined && !isEmail(email)) throw invalidRequest('invalid_email', { index }, `guests[${index}].email`);
  if (phone !== undefined && !E164.test(phone)) throw invalidRequest('invalid_phone', { index }, `guests[${index}].phone`);
  return { email: email?.toLowerCase() ?? null, phone: phone ?? null };
}
