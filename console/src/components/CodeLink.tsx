import { useRef, useState } from 'react';
import { t } from '../i18n.js';

/**
 * Copy a code's redemption link, or show it as a QR code. The QR code is drawn locally on a canvas
 * by the `qrcode` package, loaded on first use (its own chunk): no image service, no inline script.
 */
export function CodeLink(props: { code: string; link: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.link);
      setCopied(t('link_copied'));
    } catch {
      setCopied(t('link_copy_failed'));
    }
  };
  const showQr = async () => {
    dialog.current?.showModal();
    const QRCode = (await import('qrcode')).default;
    if (canvas.current) await QRCode.toCanvas(canvas.current, props.link, { width: 240, margin: 2, errorCorrectionLevel: 'M' });
  };
  return (
    <>
      <button type="button" className="secondary small" onClick={() => void copy()} aria-label={t('copy_link_for', { code: props.code })}>
        {t('copy_link')}
      </button>{' '}
      <button type="button" className="secondary small" onClick={() => void showQr()} aria-label={t('qr_for', { code: props.code })}>
        {t('qr')}
      </button>
      {copied ? <span role="status" className="meta"> {copied}</span> : null}
      <dialog ref={dialog} aria-labelledby={`qr-${props.code}`}>
        <h2 id={`qr-${props.code}`}>{t('qr_title', { code: props.code })}</h2>
        <canvas ref={canvas} className="qr" role="img" aria-label={t('qr_alt', { link: props.link })} data-testid="qr-canvas" />
        <p className="link">{props.link}</p>
        <button type="button" className="secondary" autoFocus onClick={() => dialog.current?.close()}>
          {t('close')}
        </button>
      </dialog>
    </>
  );
}
