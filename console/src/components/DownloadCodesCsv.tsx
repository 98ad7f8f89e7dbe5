import { useState } from 'react';
import { api } from '../api.js';
import { t } from '../i18n.js';

const PROGRAM = '/v1/organizations/{organization_id}/voucher-programs/{voucher_program_id}';
type Path = { organization_id: string; voucher_program_id: string };

/**
 * Download CSV: asks the API for a one-use export link (the request carries the bearer token),
 * then follows it with a hidden `<a download>`, so the browser streams the file to disk instead
 * of the page holding every code in memory (docs/console.md, Downloading codes).
 */
export function DownloadCodesCsv(props: { path: Path }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ alert: boolean; text: string } | null>(null);

  const download = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const { data, error, response } = await api.POST(`${PROGRAM}/codes/export-links`, { params: { path: props.path } });
      if (!data) {
        setMessage({ alert: true, text: error?.message ?? t('error_generic', { status: response.status }) });
        return;
      }
      const a = document.createElement('a');
      a.href = data.url;
      a.download = '';
      a.rel = 'noreferrer';
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      setMessage({ alert: false, text: t('download_csv_started') });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" disabled={busy} onClick={() => void download()}>
        {t('download_csv')}
      </button>
      {message ? <span role={message.alert ? 'alert' : 'status'}>{message.text}</span> : null}
    </>
  );
}
