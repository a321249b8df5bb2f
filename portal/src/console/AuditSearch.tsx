/** Audit search through the graph (`auditSearch`, purpose privacy-oversight): the officer gives the case (e.g. a complaint) the search is for. */
import { gql } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { describeErrors, isNotInSchema } from '../shared/errors.ts';
import { dataOf } from '../shared/graphql.ts';
import { dayStart, PLATFORM_TIME_ZONE } from '../shared/platform-day.ts';
import { Loading, Problems, Section } from '../shared/ui.tsx';

export const AUDIT_SEARCH = gql`
  query ConsoleAuditSearch($subject: ID, $client: String, $purpose: String, $consent: ID, $from: String, $to: String, $first: Int, $after: String) {
    auditSearch(subject: $subject, client: $client, purpose: $purpose, consent: $consent, from: $from, to: $to, first: $first, after: $after) {
      records {
        seq
        at
        client
        clientName
        actor
        purpose
        caseReference
        operationName
        outcome
        denials
        subjects {
          citizen {
            id
            givenName
            familyName
          }
          fields
          consent
        }
      }
      hasNextPage
      endCursor
    }
  }
`;

interface AuditRecord {
  seq: string;
  at: string;
  client: string;
  clientName: string | null;
  actor: string;
  purpose: string;
  caseReference: string | null;
  operationName: string | null;
  outcome: string;
  denials: string[];
  subjects: { citizen: { id: string; givenName: string | null; familyName: string | null }; fields: string[]; consent: string | null }[];
}

interface Data {
  auditSearch: { records: AuditRecord[]; hasNextPage: boolean; endCursor: string | null };
}

const PAGE = 25;

/** One CSV cell: quoted, quotes doubled (RFC 4180). */
const cell = (value: string) => `"${value.replace(/"/g, '""')}"`;

export function toCsv(records: AuditRecord[]): string {
  const header = ['at', 'client', 'actor', 'purpose', 'case_reference', 'operation', 'outcome', 'subject', 'fields', 'denials', 'consent'];
  const rows = records.flatMap((r) =>
    (r.subjects.length ? r.subjects : [{ citizen: { id: '', givenName: null, familyName: null }, fields: [] as string[], consent: null as string | null }]).map((s) =>
      [r.at, r.client, r.actor, r.purpose, r.caseReference ?? '', r.operationName ?? '', r.outcome, s.citizen.id, s.fields.join(';'), r.denials.join(';'), s.consent ?? ''].map(cell).join(','),
    ),
  );
  return [header.join(','), ...rows].join('\r\n');
}

export function AuditSearch() {
  const client = useApolloClient();
  const [form, setForm] = useState({ caseRef: '', subject: '', client: '', purpose: '', consent: '', from: '', to: '' });
  const [records, setRecords] = useState<AuditRecord[]>();
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const problems = describeErrors(error);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  async function run(after: string | null) {
    const blank = (v: string) => v.trim() || undefined;
    setLoading(true);
    setError(undefined);
    try {
      const result = await client.query({
        query: AUDIT_SEARCH,
        fetchPolicy: 'network-only',
        variables: {
          subject: blank(form.subject),
          client: blank(form.client),
          purpose: blank(form.purpose),
          consent: blank(form.consent),
          from: form.from ? dayStart(form.from) : undefined,
          to: form.to ? dayStart(form.to, 1) : undefined,
          first: PAGE,
          after: after ?? undefined,
        },
        // Oversight reaches anyone: the gateway wants to know which case the search is for.
        context: { headers: { 'x-case-ref': form.caseRef.trim() } },
      });
      if (result.error) setError(result.error);
      const page = dataOf<Data>(result)?.auditSearch;
      if (page) {
        setRecords((before) => [...(after ? (before ?? []) : []), ...page.records]);
        setNext(page.hasNextPage ? page.endCursor : null);
      }
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(null);
  };
  const downloadCsv = () => {
    const url = URL.createObjectURL(new Blob([toCsv(records ?? [])], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `audit-${form.caseRef.trim() || 'search'}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <Section title="Audit search" className="wide">
      <form className="audit-form" onSubmit={submit} aria-describedby="audit-help">
        <p id="audit-help" className="source">
          Who read whose data, for what purpose. The search itself is recorded with your case reference.
        </p>
        <div className="form-grid">
          <div>
            <label htmlFor="audit-case">Case reference (required)</label>
            <input id="audit-case" value={form.caseRef} onChange={set('caseRef')} required pattern="[A-Za-z0-9][A-Za-z0-9:\/._\-]{2,99}" placeholder="e.g. DPO-2025-014" />
          </div>
          <div>
            <label htmlFor="audit-subject">Citizen (personal code)</label>
            <input id="audit-subject" value={form.subject} onChange={set('subject')} inputMode="numeric" />
          </div>
          <div>
            <label htmlFor="audit-client">Client id</label>
            <input id="audit-client" value={form.client} onChange={set('client')} />
          </div>
          <div>
            <label htmlFor="audit-purpose">Purpose</label>
            <input id="audit-purpose" value={form.purpose} onChange={set('purpose')} />
          </div>
          <div>
            <label htmlFor="audit-consent">Consent id (a partner's reads under it)</label>
            <input id="audit-consent" value={form.consent} onChange={set('consent')} />
          </div>
          <div>
            <label htmlFor="audit-from">From (day)</label>
            <input id="audit-from" type="date" value={form.from} onChange={set('from')} />
          </div>
          <div>
            <label htmlFor="audit-to">To (day, inclusive)</label>
            <input id="audit-to" type="date" value={form.to} onChange={set('to')} min={form.from || undefined} />
          </div>
        </div>
        <button type="submit" disabled={loading}>
          Search the audit log
        </button>
      </form>
      {isNotInSchema(problems) ? <p className="muted">The audit search is not available on this gateway yet.</p> : <Problems problems={problems} title="The audit search failed" />}
      {loading && <Loading what="audit records" />}
      {records && (
        <>
          <div className="actions">
            <button type="button" className="secondary" onClick={downloadCsv} disabled={records.length === 0}>
              Download these records as CSV
            </button>
          </div>
          <div className="table-scroll" role="region" aria-label="Audit records, scrolls sideways" tabIndex={0}>
            <table className="audit">
              <caption>
                {records.length} record{records.length === 1 ? '' : 's'}
                {next ? ' shown; more exist' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Client</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Subjects and fields</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {records.map((r) => (
                  <tr key={r.seq} data-seq={r.seq}>
                    <td>
                      <time dateTime={r.at}>{new Date(r.at).toLocaleString('en-GB', { timeZone: PLATFORM_TIME_ZONE })}</time>
                    </td>
                    <td>{r.clientName ?? r.client}</td>
                    <td>
                      <code>{r.actor}</code>
                    </td>
                    <td>
                      {r.purpose}
                      {r.caseReference && <div className="muted small-text">case {r.caseReference}</div>}
                      {r.operationName && <div className="muted small-text">operation {r.operationName}</div>}
                    </td>
                    <td>
                      {r.subjects.map((s) => (
                        <details key={s.citizen.id}>
                          <summary>
                            <code>{s.citizen.id}</code> {[s.citizen.givenName, s.citizen.familyName].filter(Boolean).join(' ')}: <span className="small-text">{s.fields.length} fields</span>
                            {s.consent && <span className="small-text" data-consent={s.consent}> · under consent {s.consent}</span>}
                          </summary>
                          <ul className="fields plain">
                            {s.fields.map((f) => (
                              <li key={f}>{f}</li>
                            ))}
                          </ul>
                        </details>
                      ))}
                    </td>
                    <td>
                      {r.outcome}
                      {r.denials.length > 0 && <div className="small-text">{r.denials.join(', ')}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {next && (
            <button type="button" className="secondary" onClick={() => void run(next)} disabled={loading}>
              Show {PAGE} older records
            </button>
          )}
        </>
      )}
    </Section>
  );
}
