import { translate, type Locale, type MessageKey } from '../../../lib/i18n.js';
import { SCOPES } from '../scopes.js';
import { escapeHtml, hiddenFields, page } from './html.js';

type Hidden = Record<string, string | undefined>;
const t = (locale: Locale, key: MessageKey, params: Record<string, string | number> = {}) => escapeHtml(translate(locale, key, params));

function alert(message: string | undefined): string {
  return message ? `<p role="alert" id="form-error">${message}</p>\n` : '';
}

/** The sign-in form; posts back to `action` with the request carried in hidden fields. */
export function loginPage(locale: Locale, action: string, hidden: Hidden, error?: string): string {
  const described = error ? ' aria-describedby="form-error"' : '';
  return page(
    locale,
    translate(locale, 'page_login_title'),
    `${alert(error)}<form method="post" action="${escapeHtml(action)}">
${hiddenFields({ ...hidden, action: 'login' })}
<label for="email">${t(locale, 'page_email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required${described}>
<label for="password">${t(locale, 'page_password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}>
<button type="submit">${t(locale, 'page_sign_in')}</button>
</form>`,
  );
}

const SCOPE_TEXT: Record<string, MessageKey> = {
  [SCOPES.delegated]: 'page_scope_delegated',
  [SCOPES.redeem]: 'page_scope_redeem',
  [SCOPES.aggregator]: 'page_scope_aggregator',
};

/** Consent: what the app asks, who is signed in, Allow / Deny (and an organization picker when given). */
export function consentPage(
  locale: Locale,
  input: { action: string; hidden: Hidden; app: string; email: string; scopes: string[]; organizations?: { id: string; name: string }[]; error?: string },
): string {
  const items = input.scopes
    .map((s) => `<li>${SCOPE_TEXT[s] ? t(locale, SCOPE_TEXT[s]!) : t(locale, 'page_scope_other', { scope: s })}</li>`)
    .join('\n');
  const orgs = input.organizations;
  const picker =
    orgs === undefined
      ? ''
      : orgs.length === 1
        ? `<input type="hidden" name="org_id" value="${escapeHtml(orgs[0]!.id)}">\n<p>${t(locale, 'page_choose_org')}: <strong>${escapeHtml(orgs[0]!.name)}</strong></p>`
        : `<label for="org_id">${t(locale, 'page_choose_org')}</label>\n<select id="org_id" name="org_id" required>${orgs
            .map((o) => `<option value="${escapeHtml(o.id)}">${escapeHtml(o.name)}</option>`)
            .join('')}</select>`;
  return page(
    locale,
    translate(locale, 'page_consent_title', { app: input.app }),
    `${alert(input.error)}<p>${t(locale, 'page_signed_in_as', { email: input.email })}</p>
<p id="consent-intro">${t(locale, 'page_consent_intro', { app: input.app })}</p>
<ul aria-labelledby="consent-intro">
${items}
</ul>
<form method="post" action="${escapeHtml(input.action)}">
${hiddenFields(input.hidden)}
${picker}
<button type="submit" name="action" value="approve">${t(locale, 'page_approve')}</button>
<button type="submit" name="action" value="deny">${t(locale, 'page_deny')}</button>
</form>`,
  );
}

/** Confirmation of an aggregator's removal (GET /business/revoke shows it, POST performs it). */
export function revokePage(locale: Locale, input: { action: string; hidden: Hidden; app: string; org: string; email: string }): string {
  return page(
    locale,
    translate(locale, 'page_revoke_title', { app: input.app }),
    `<p>${t(locale, 'page_signed_in_as', { email: input.email })}</p>
<p>${t(locale, 'page_revoke_intro', { app: input.app, org: input.org })}</p>
<form method="post" action="${escapeHtml(input.action)}">
${hiddenFields({ ...input.hidden, action: 'revoke' })}
<button type="submit">${t(locale, 'page_revoke_confirm')}</button>
</form>`,
  );
}
