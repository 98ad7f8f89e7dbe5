import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { api } from '../api.js';
import { Link } from '../App.js';
import { formatDate, t } from '../i18n.js';
import { programPath } from '../router.js';

type Contact = { email: string } | { phone: string };
interface Row {
  contact: Contact;
  error?: string;
}
interface Guest {
  email?: string;
  phone?: string;
  code: { code_text: string; status: string };
  distributed_at?: number | null;
}

/** One contact per value: an `@` makes it an email, anything else is a phone number (the API checks both). */
const toContact = (value: string): Contact => (value.includes('@') ? { email: value } : { phone: value });

/** Pasted lines, or a CSV: a header naming `email`/`phone` picks those columns, else the first column. */
export function parseContacts(text: string): Contact[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const header = lines[0]?.toLowerCase().split(',').map((c) => c.trim().replace(/^"|"$/g, '')) ?? [];
  const emailAt = header.indexOf('email');
  const phoneAt = header.indexOf('phone');
  if (emailAt < 0 && phoneAt < 0) return lines.map((l) => toContact(l.split(',')[0]!.trim().replace(/^"|"$/g, '')));
  return lines.slice(1).flatMap((line): Contact[] => {
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const email = emailAt >= 0 ? cells[emailAt] : undefined;
    const phone = phoneAt >= 0 ? cells[phoneAt] : undefined;
    return email ? [{ email }] : phone ? [{ phone }] : [];
  });
}

const label = (c: Contact) => ('email' in c ? c.email : c.phone);
/** The row an API error names: metadata.field `guests[3]…` (docs/programs.md). */
function rowOfError(body: unknown): number | null {
  const field = (body as { metadata?: { field?: unknown } } | null)?.metadata?.field;
  const match = typeof field === 'string' ? /^guests\[(\d+)\]/.exec(field) : null;
  return match ? Number(match[1]) : null;
}

/** Guests of a program (docs/console.md, Guests): add from a list or a CSV, distribute, see who got which code. */
export function Guests(props: { org: string; program: string }) {
  const params = { path: { organization_id: props.org, voucher_program_id: props.program } };
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [rows, setRows] = useState<Row[]>([]);
  const [notify, setNotify] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [guests, setGuests] = useState<Guest[] | null>(null);

  const load = async () => {
    const { data } = await api.GET('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/guests', { params: { ...params, query: { limit: 1000 } } });
    setGuests((data?.guests ?? []) as Guest[]);
  };
  useEffect(() => {
    void api.GET('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}', { params }).then(({ data }) => setName(data?.name ?? ''));
    void load();
  }, [props.org, props.program]);

  const take = (value: string) => setRows(parseContacts(value).map((contact) => ({ contact })));
  const onText = (e: ChangeEvent<HTMLTextAreaElement>) => {
    setText(e.target.value);
    take(e.target.value);
  };
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const content = await file.text();
    setText(content);
    take(content);
  };

  const onAdd = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    setError(null);
    const { data, error: body, response } = await api.POST('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/add-guests', {
      params,
      body: { guests: rows.map((r) => r.contact), send_notifications: notify },
    });
    if (data) {
      setStatus(t('guests_added', { count: rows.length }));
      setRows([]);
      setText('');
      void load();
      return;
    }
    const message = (body as { message?: string } | undefined)?.message ?? t('error_generic', { status: response.status });
    const at = rowOfError(body);
    if (at !== null && rows[at]) setRows(rows.map((r, i) => (i === at ? { ...r, error: message } : { contact: r.contact })));
    else setError(message);
  };

  const onDistribute = async () => {
    setStatus(null);
    setError(null);
    const { data, error: body, response } = await api.POST('/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}/codes/distribute', { params, body: {} });
    if (data) {
      setStatus(t('guests_distributed', { count: data.number_of_codes_distributed }));
      void load();
    } else setError((body as { message?: string } | undefined)?.message ?? t('error_generic', { status: response.status }));
  };

  const removeRow = (at: number) => {
    const next = rows.filter((_, i) => i !== at);
    setRows(next);
    setText(next.map((r) => label(r.contact)).join('\n'));
  };

  return (
    <section aria-labelledby="guests-title">
      <p>
        <Link to={programPath(props.org, props.program)}>{t('back_to_program')}</Link>
      </p>
      <h1 id="guests-title">{t('guests_title', { name })}</h1>
      <div aria-live="polite">{status ? <p role="status">{status}</p> : null}</div>
      {error ? <p role="alert">{error}</p> : null}

      <section aria-labelledby="guests-add-title">
        <h2 id="guests-add-title">{t('guests_add_title')}</h2>
        <form className="stacked" onSubmit={(e) => void onAdd(e)}>
          <label htmlFor="guests-paste">{t('guests_paste_label')}</label>
          <textarea id="guests-paste" rows={6} value={text} onChange={onText} />
          <label htmlFor="guests-csv">{t('guests_csv_label')}</label>
          <input id="guests-csv" type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void onFile(e)} />
          <p>
            <input id="guests-notify" type="checkbox" checked={notify} onChange={(e) => setNotify(e.target.checked)} />{' '}
            <label htmlFor="guests-notify">{t('guests_notify')}</label>
          </p>
          {rows.length > 0 ? (
            <table>
              <caption>{t('guests_rows_title')}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('col_contact')}</th>
                  <th scope="col">{t('col_status')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <tr key={i} aria-invalid={r.error ? true : undefined}>
                    <td>{i + 1}</td>
                    <td>{label(r.contact)}</td>
                    <td>
                      {r.error ? (
                        <>
                          <span className="field-error">{r.error}</span>{' '}
                          <button type="button" className="secondary" onClick={() => removeRow(i)}>
                            {t('guests_remove_row', { row: i + 1 })}
                          </button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <button type="submit" disabled={rows.length === 0}>
            {t('guests_add')}
          </button>
        </form>
      </section>

      <section aria-labelledby="guests-distribute-title">
        <h2 id="guests-distribute-title">{t('guests_distribute_title')}</h2>
        <button type="button" onClick={() => void onDistribute()}>
          {t('guests_distribute')}
        </button>
      </section>

      <section aria-labelledby="guests-list-title">
        <h2 id="guests-list-title">{t('guests_list_title')}</h2>
        {guests === null ? (
          <p role="status">{t('loading')}</p>
        ) : guests.length === 0 ? (
          <p>{t('guests_none')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('col_contact')}</th>
                <th scope="col">{t('col_code')}</th>
                <th scope="col">{t('col_code_status')}</th>
                <th scope="col">{t('col_distributed')}</th>
              </tr>
            </thead>
            <tbody>
              {guests.map((g, i) => (
                <tr key={i}>
                  <td>{g.email ?? g.phone}</td>
                  <td>
                    <code>{g.code.code_text}</code>
                  </td>
                  <td>{g.code.status}</td>
                  <td>{g.distributed_at ? formatDate(g.distributed_at) : t('not_distributed')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}
