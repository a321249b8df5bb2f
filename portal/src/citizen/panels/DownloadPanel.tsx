/** "Download my data" (GDPR art. 15 and 20): the gateway's export as JSON, and a PDF summary in the reader's language. */
import { useState } from 'react';
import { useTranslation } from '../../i18n/index.ts';
import { describeErrors } from '../../shared/errors.ts';
import { Problems, Section } from '../../shared/ui.tsx';

export function DownloadPanel({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [ready, setReady] = useState<string>();
  async function download(kind: 'json' | 'pdf') {
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch(`/portal/my-data.${kind}${kind === 'pdf' ? `?lang=${i18n.language}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { errors?: { extensions?: { code?: string } }[] } | null;
        throw Object.assign(new Error('export failed'), { code: body?.errors?.[0]?.extensions?.code ?? 'generic' });
      }
      const file = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `my-data.${kind}`;
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = file;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setReady(file);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section title={t('download.title')} className="download">
      <p className="small-text">{t('download.help')}</p>
      <div className="actions">
        <button type="button" className="secondary" disabled={busy} onClick={() => void download('json')}>
          {t('download.json')}
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => void download('pdf')}>
          {t('download.pdf')}
        </button>
      </div>
      {ready && (
        <p role="status" className="ok">
          {t('download.ready', { file: ready })}
        </p>
      )}
      <Problems problems={describeErrors(error)} title={t('download.failed')} />
    </Section>
  );
}
