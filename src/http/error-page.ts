import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../lib/errors.js';
import { translate, type Locale, type MessageKey } from '../lib/i18n.js';
import { escapeHtml, page, sendPage } from '../modules/oauth/authorize/html.js';
import { toAppError } from './error-handler.js';
import { logErrorDetail } from './error-response.js';

/**
 * The one error page of the HTML routes (sign-in, consent, redemption pages). An error raised on a
 * page goes through the API's mapping — AppError kind → status, message key → public text — and
 * its detail to the request log with the request id; no stack or internal reason reaches the page.
 */

/** What a family of pages says for an error, when it words errors its own way (the redemption pages do). */
export interface ErrorPageText {
  /** `data-outcome` of the page, for scripts and tests. */
  outcome: string;
  title: MessageKey;
  text: MessageKey;
}

export type ErrorPageTexts = (error: AppError) => ErrorPageText;

/** A link on the error page back to where the visitor can start again, e.g. the code being claimed. */
export interface TryAgainLink {
  /** A same-origin path built by the route (`/redeem/{code}`); anything else is not drawn. */
  href: string;
  label: MessageKey;
}

/** Only a path of this origin: one leading slash, not `//host` or `/\\host` (which browsers read as another origin). */
function isSameOriginPath(href: string): boolean {
  return /^\/(?![/\\])[^\s]*$/.test(href);
}

function tryAgainHtml(locale: Locale, link: TryAgainLink | undefined): string {
  if (!link || !isSameOriginPath(link.href)) return '';
  return `\n<p><a id="try-again" href="${escapeHtml(link.href)}">${escapeHtml(translate(locale, link.label))}</a></p>`;
}

export interface ErrorPageOptions {
  locale?: Locale;
  /** The family's own wording (the redemption pages'); the error's public message otherwise. */
  texts?: ErrorPageTexts | undefined;
  tryAgain?: TryAgainLink;
}

/** Default wording: the generic title and the error's own public message. */
function defaultText(locale: Locale, error: AppError): { outcome: string; title: string; text: string } {
  return { outcome: error.kind, title: translate(locale, 'page_error_title'), text: translate(locale, error.messageKey, error.options.params) };
}

export function renderErrorPage(locale: Locale, error: AppError, texts?: ErrorPageTexts, tryAgain?: TryAgainLink): string {
  const chosen = texts?.(error);
  const { outcome, title, text } = chosen
    ? { outcome: chosen.outcome, title: translate(locale, chosen.title), text: translate(locale, chosen.text) }
    : defaultText(locale, error);
  return page(locale, title, `<p role="alert" id="outcome" data-outcome="${escapeHtml(outcome)}">${escapeHtml(text)}</p>${tryAgainHtml(locale, tryAgain)}`);
}

export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, error: AppError, options: ErrorPageOptions = {}): FastifyReply {
  const { locale = request.locale, texts, tryAgain } = options;
  logErrorDetail(request, error);
  void reply.headers(error.options.headers ?? {});
  return sendPage(reply, error.status, renderErrorPage(locale, error, texts, tryAgain));
}

/** The error handler of a family of page routes (src/app.ts registers it per family, not per route). */
export function pageErrorHandler(bodyLimit: number, texts?: ErrorPageTexts) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const { error, unexpected } = toAppError(err, bodyLimit);
    if (unexpected) request.log.error({ err }, 'request failed');
    return sendErrorPage(request, reply, error, { texts });
  };
}
