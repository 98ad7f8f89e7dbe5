import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../../context.js';
import { maskCode, maskContact } from '../../http/log-redaction.js';

/** One message telling a guest their voucher code (docs/programs.md distribute). */
export interface GuestNotification {
  channel: 'email' | 'sms';
  to: string;
  voucherProgramId: string;
  programName: string;
  codeText: string;
  redemptionLink: string;
}

/**
 * Delivery of distributed codes by email or SMS — pluggable (docs/programs.md). Outbound delivery is the
 * one thing tests may fake; a deployment plugs its mail/SMS gateway in with `setNotifier`.
 */
export interface Notifier {
  send(messages: GuestNotification[]): Promise<void>;
}

/**
 * The default: writes each message to the service log (docs/programs.md: "the default writes to the
 * log"), masked: a log is no place for a live code or a guest's contact (the link carries the code too).
 */
export function logNotifier(log: Pick<FastifyBaseLogger, 'info'>): Notifier {
  return {
    async send(messages) {
      for (const m of messages) {
        log.info(
          { notification: { channel: m.channel, to: maskContact(m.to), voucher_program_id: m.voucherProgramId, code_text: maskCode(m.codeText) } },
          `voucher code for "${m.programName}" sent by ${m.channel}`,
        );
      }
    },
  };
}

const notifiers = new WeakMap<AppContext, Notifier>();

export function setNotifier(ctx: AppContext, notifier: Notifier): void {
  notifiers.set(ctx, notifier);
}

export function notifierFor(ctx: AppContext, log: Pick<FastifyBaseLogger, 'info'>): Notifier {
  return notifiers.get(ctx) ?? logNotifier(log);
}
