/** Webhook event types, Uber's names (docs/webhooks.md). */
export const EVENT_TYPES = [
  'voucher_program_created',
  'voucher_program_updated',
  'voucher_program_activated',
  'voucher_program_completed',
  'voucher_program_code_claimed',
  'voucher_program_code_redeemed',
  'voucher_program_code_distributed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
