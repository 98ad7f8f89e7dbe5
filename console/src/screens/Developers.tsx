import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { locale, t } from '../i18n.js';
import { apiFieldError, lastProblem } from '../lib/developers.js';

interface Endpoint {
  webhook_endpoint_id: string;
  url: string;
  status: 'ENABLED' | 'DISABLED';
  created_at: number;
}
interface Delivery {
  delivery_id: string;
  event_type: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
}
interface App {
  client_id: string;
  name: string;
  scopes: string[];
  authorized_at: number;
  revoked_at: number | null;
}
type Pending = { kind: 'delete'; endpoint: Endpoint } | { kind: 'revoke'; app: App };

const when = (ms: number) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
const ENDPOINTS = '/v1/organizations/{organization_id}/webhook-endpoints' as const;

/**
 * The organization's integrations (docs/console.md, Developers): webhook endpoints with their
 * signing key shown once, rotation, deletion, the delivery log with Re-send, and the aggregator
 * apps it authorized, with Revoke.
 */
export function Developers(props: { org: string }) {
  const org = { organization_id: props.org };
  const [endpoints, setEndpoints] = useState<Endpoint[] | null>(null);
  const [apps, setApps] = useState<App[] | null>(null);
  const [url, setUrl] = useState('');
  const [urlError, setUrlError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [key, setKey] = useState<{ url: string; value: string } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = useRef<HTMLDialogElement>(null);
  const keyPanel = useRef<HTMLElement>(null);
  const keep = useRef<HTMLButtonElement>(null);

  const load = async () => {
    const [e, a] = await Promise.all([
      api.GET(ENDPOINTS, { params: { path: org } }),
      api.GET('/v1/organizations/{organization_id}/authorized-apps', { params: { path: org } }),
    ]);
    setEndpoints(e.data?.webhook_endpoints ?? []);
    setApps(a.data?.authorized_apps ?? []);
    if (!e.data || !a.data) setError(t('error_generic', { status: e.response.ok ? a.response.status : e.response.status }));
  };
  useEffect(() => {
    void load();
  }, [props.org]);
  useEffect(() => {
    if (key) keyPanel.current?.focus();
  }, [key]);

  const showKey = (endpointUrl: string, value: string) => {
    setCopied(null);
    setKey({ url: endpointUrl, value });
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setUrlError(null);
    setError(null);
    const { data, error: body, response } = await api.POST(ENDPOINTS, { params: { path: org }, body: { url: url.trim() } });
    setBusy(false);
    if (data) {
      setUrl('');
      showKey(data.url, data.signing_key);
      await load();
      return;
    }
    const problem = apiFieldError(body);
    if (problem?.field === 'url') setUrlError(problem.message);
    else setError(problem?.message ?? t('error_generic', { status: response.status }));
  };

  const rotate = async (endpoint: Endpoint) => {
    setError(null);
    const { data, error: body, response } = await api.POST(`${ENDPOINTS}/{webhook_endpoint_id}/rotate-key`, {
      params: { path: { ...org, webhook_endpoint_id: endpoint.webhook_endpoint_id } },
      body: {},
    });
    if (data) showKey(data.url, data.signing_key);
    else setError(apiFieldError(body)?.message ?? t('error_generic', { status: response.status }));
  };

  const ask = (p: Pending) => {
    setPending(p);
    confirm.current?.showModal();
    // The safe choice first: showModal alone would focus the destructive button.
    keep.current?.focus();
  };

  const confirmed = async () => {
    if (!pending) return;
    setBusy(true);
    setError(null);
    if (pending.kind === 'delete') {
      const { response } = await api.DELETE(`${ENDPOINTS}/{webhook_endpoint_id}`, {
        params: { path: { ...org, webhook_endpoint_id: pending.endpoint.webhook_endpoint_id } },
      });
      if (response.ok) setStatus(t('dev_deleted'));
      else setError(t('error_generic', { status: response.status }));
      if (open === pending.endpoint.webhook_endpoint_id) setOpen(null);
    } else {
      const { response } = await api.POST('/v1/organizations/{organization_id}/authorized-apps/{client_id}/revoke', {
        params: { path: { ...org, client_id: pending.app.client_id } },
      });
      if (response.ok) setStatus(t('dev_revoked', { name: pending.app.name }));
      else setError(t('error_generic', { status: response.status }));
    }
    setBusy(false);
    confirm.current?.close();
    setPending(null);
    await load();
  };

  const copy = async () => {
    if (!key) return;
    try {
      await navigator.clipboard.writeText(key.value);
      setCopied(t('dev_copied'));
    } catch {
      setCopied(t('dev_copy_failed'));
    }
  };

  return (
    <section aria-labelledby="dev-title">
      <h1 id="dev-title">{t('developers_title')}</h1>
      <p role="status">{status}</p>
      {error ? <p role="alert">{error}</p> : null}

      {key ? (
        <section className="key-panel" aria-labelledby="key-title" tabIndex={-1} ref={keyPanel}>
          <h2 id="key-title">{t('dev_key_title', { url: key.url })}</h2>
          <p id="key-once">
            <strong>{t('dev_key_once')}</strong>
          </p>
          <label htmlFor="signing-key">{t('dev_key_label')}</label>
          <input id="signing-key" readOnly value={key.value} aria-describedby="key-once" onFocus={(e) => e.target.select()} />
          <div className="actions">
            <button type="button" onClick={() => void copy()}>
              {t('dev_copy')}
            </button>
            <button type="button" className="secondary" onClick={() => setKey(null)}>
              {t('dev_dismiss')}
            </button>
          </div>
          <p role="status">{copied}</p>
        </section>
      ) : null}

      <h2 id="endpoints-title">{t('dev_endpoints_title')}</h2>
      <form onSubmit={(e) => void add(e)} noValidate className="inline-form">
        <div className="field">
          <label htmlFor="endpoint-url">{t('dev_url_label')}</label>
          <input
            id="endpoint-url"
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-invalid={urlError ? true : undefined}
            aria-describedby={urlError ? 'endpoint-url-error' : undefined}
          />
          {urlError ? (
            <p id="endpoint-url-error" className="field-error">
              {urlError}
            </p>
          ) : null}
        </div>
        <button type="submit" disabled={busy || url.trim() === ''}>
          {t('dev_add')}
        </button>
      </form>

      {endpoints === null ? (
        <p role="status">{t('loading')}</p>
      ) : endpoints.length === 0 ? (
        <p>{t('dev_endpoints_none')}</p>
      ) : (
        <table aria-labelledby="endpoints-title">
          <thead>
            <tr>
              <th scope="col">{t('dev_col_url')}</th>
              <th scope="col">{t('dev_col_status')}</th>
              <th scope="col">{t('dev_col_created')}</th>
              <th scope="col">{t('dev_col_actions')}</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((e) => (
              <tr key={e.webhook_endpoint_id}>
                <td className="mono">{e.url}</td>
                <td>{e.status}</td>
                <td>{when(e.created_at)}</td>
                <td>
                  <div className="row-actions">
                  <button
                    type="button"
                    className="secondary"
                    aria-expanded={open === e.webhook_endpoint_id}
                    aria-controls={open === e.webhook_endpoint_id ? `log-${e.webhook_endpoint_id}` : undefined}
                    onClick={() => setOpen(open === e.webhook_endpoint_id ? null : e.webhook_endpoint_id)}
                    aria-label={`${open === e.webhook_endpoint_id ? t('dev_hide_log') : t('dev_show_log')}: ${e.url}`}
                  >
                    {open === e.webhook_endpoint_id ? t('dev_hide_log') : t('dev_show_log')}
                  </button>
                  <button type="button" className="secondary" onClick={() => void rotate(e)} aria-label={`${t('dev_rotate')}: ${e.url}`}>
                    {t('dev_rotate')}
                  </button>
                  <button type="button" className="danger" onClick={() => ask({ kind: 'delete', endpoint: e })} aria-label={`${t('dev_delete')}: ${e.url}`}>
                    {t('dev_delete')}
                  </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && endpoints?.some((e) => e.webhook_endpoint_id === open) ? (
        <DeliveryLog org={props.org} endpoint={endpoints.find((e) => e.webhook_endpoint_id === open)!} onStatus={setStatus} />
      ) : null}

      <h2 id="apps-title">{t('dev_apps_title')}</h2>
      {apps === null ? (
        <p role="status">{t('loading')}</p>
      ) : apps.length === 0 ? (
        <p>{t('dev_apps_none')}</p>
      ) : (
        <table aria-labelledby="apps-title">
          <thead>
            <tr>
              <th scope="col">{t('dev_col_app')}</th>
              <th scope="col">{t('dev_col_client')}</th>
              <th scope="col">{t('dev_col_scopes')}</th>
              <th scope="col">{t('dev_col_authorized')}</th>
              <th scope="col">{t('dev_col_revoked')}</th>
              <th scope="col">{t('dev_col_actions')}</th>
            </tr>
          </thead>
          <tbody>
            {apps.map((a) => (
              <tr key={a.client_id}>
                <td>{a.name}</td>
                <td className="mono">{a.client_id}</td>
                <td className="mono">{a.scopes.join(' ')}</td>
                <td>{when(a.authorized_at)}</td>
                <td>{a.revoked_at === null ? t('dev_active') : when(a.revoked_at)}</td>
                <td>
                  {a.revoked_at === null ? (
                    <button type="button" className="danger" onClick={() => ask({ kind: 'revoke', app: a })} aria-label={t('dev_revoke_label', { name: a.name })}>
                      {t('dev_revoke')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <dialog ref={confirm} aria-labelledby="dev-confirm-title" role="alertdialog" onClose={() => setPending(null)}>
        <p id="dev-confirm-title">
          {pending?.kind === 'delete'
            ? t('dev_delete_confirm', { url: pending.endpoint.url })
            : pending?.kind === 'revoke'
              ? t('dev_revoke_confirm', { name: pending.app.name })
              : ''}
        </p>
        <div className="actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void confirmed()}>
            {pending?.kind === 'revoke' ? t('dev_revoke_yes') : t('dev_delete_yes')}
          </button>
          <button type="button" className="secondary" ref={keep} onClick={() => confirm.current?.close()}>
            {t('dev_keep')}
          </button>
        </div>
      </dialog>
    </section>
  );
}

/** One endpoint's deliveries, newest first, with a one-click Re-send (the same message again). */
function DeliveryLog(props: { org: string; endpoint: Endpoint; onStatus: (s: string) => void }) {
  const path = { organization_id: props.org, webhook_endpoint_id: props.endpoint.webhook_endpoint_id };
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    const { data, response } = await api.GET(`${ENDPOINTS}/{webhook_endpoint_id}/deliveries`, { params: { path, query: { limit: 50 } } });
    if (data) setDeliveries(data.deliveries);
    else setError(t('error_generic', { status: response.status }));
  };
  useEffect(() => {
    void load();
  }, [props.endpoint.webhook_endpoint_id]);

  const resend = async (d: Delivery) => {
    setError(null);
    const { data, error: body, response } = await api.POST(`${ENDPOINTS}/{webhook_endpoint_id}/deliveries/{delivery_id}/resend`, {
      params: { path: { ...path, delivery_id: d.delivery_id } },
    });
    if (data) props.onStatus(t('dev_resent'));
    else setError(apiFieldError(body)?.message ?? t('error_generic', { status: response.status }));
    await load();
  };

  const id = `log-${props.endpoint.webhook_endpoint_id}`;
  return (
    <section id={id} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('dev_log_title', { url: props.endpoint.url })}</h3>
      <button type="button" className="secondary" onClick={() => void load()}>
        {t('dev_log_refresh')}
      </button>
      {error ? <p role="alert">{error}</p> : null}
      {deliveries === null ? (
        <p role="status">{t('loading')}</p>
      ) : deliveries.length === 0 ? (
        <p>{t('dev_log_none')}</p>
      ) : (
        <table aria-labelledby={`${id}-title`}>
          <thead>
            <tr>
              <th scope="col">{t('dev_col_event')}</th>
              <th scope="col">{t('dev_col_status')}</th>
              <th scope="col">{t('dev_col_attempts')}</th>
              <th scope="col">{t('dev_col_last_error')}</th>
              <th scope="col">{t('dev_col_time')}</th>
              <th scope="col">{t('dev_col_actions')}</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => {
              const problem = lastProblem(d);
              return (
                <tr key={d.delivery_id}>
                  <td className="mono">{d.event_type}</td>
                  <td>{d.status}</td>
                  <td>{d.attempts}</td>
                  <td>{problem === null ? '—' : 'error' in problem ? problem.error : t('dev_status_error', { status: problem.status })}</td>
                  <td>{when(d.created_at)}</td>
                  <td>
                    <button type="button" onClick={() => void resend(d)} aria-label={t('dev_resend_label', { event: d.event_type, time: when(d.created_at) })}>
                      {t('dev_resend')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
