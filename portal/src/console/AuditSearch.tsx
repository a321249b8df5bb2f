/** Audit search through the graph (`auditSearch`, purpose privacy-oversight): the officer gives the case (e.g. a complaint) the search is for. */
import { gql } from '@apollo/client';
import { useLazyQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { describeErrors, isNotInSchema } from '../shared/errors.ts';
import { dataOf } from '../shared/graphql.ts';
import { Loading, Problems, Section } from '../shared/ui.tsx';

export const AUDIT_SEARCH = gql`
  query ConsoleAuditSearch($subject: ID, $client: String, $purpose: String, $from: String, $to: String, $first: Int, $after: String) {
    auditSearch(subject: $subject, client: $client, purpose: $purpose, from: $from, to: $to, first: $first, after: $after) {
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
  subjects: { citizen: { id: string; givenName: string | null; familyName: string | null }; fields: string[] }[];
}

interface Data {
  auditSearch: { records: AuditRecord[]; hasNextPage: boolean; endCursor: string | null };
}

export function AuditSearch() {
  const [form, setForm] = useState({ caseRef: '', subject: '', client: '', purpose: '' });
  const [search, result] = useLazyQuery(AUDIT_SEARCH, { fetchPolicy: 'network-only', errorPolicy: 'all' });
  const { loading, error, called } = result;
  const data = dataOf<Data>(result);
  const problems = describeErrors(error);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const blank = (v: string) => v.trim() || undefined;
    void search({
      variables: { subject: blank(form.subject), client: blank(form.client), purpose: blank(form.purpose), first: 25 },
      // Oversight reaches anyone: the gateway wants to know which case the search is for.
      context: { headers: { 'x-case-ref': form.caseRef.trim() } },
    });
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
        </div>
        <button type="submit" disabled={loading}>
          Search the audit log
        </button>
      </form>
      {isNotInSchema(problems) ? <p className="muted">The audit search is not available on this gateway yet.</p> : <Problems problems={problems} title="The audit search failed" />}
      {loading && <Loading what="audit records" />}
      {called && data?.auditSearch && (
        <div className="table-scroll" role="region" aria-label="Audit records, scrolls sideways" tabIndex={0}>
          <table className="audit">
            <caption>
              {data.auditSearch.records.length} record{data.auditSearch.records.length === 1 ? '' : 's'}
              {data.auditSearch.hasNextPage ? ' (more exist: narrow the search)' : ''}
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
              {data.auditSearch.records.map((r) => (
                <tr key={r.seq}>
                  <td>
                    <time dateTime={r.at}>{new Date(r.at).toLocaleString('en-GB')}</time>
                  </td>
                  <td>{r.clientName ?? r.client}</td>
                  <td>
                    <code>{r.actor}</code>
                  </td>
                  <td>
                    {r.purpose}
                    {r.caseReference && <div className="muted small-text">case {r.caseReference}</div>}
                  </td>
                  <td>
                    {r.subjects.map((s) => (
                      <div key={s.citizen.id}>
                        <code>{s.citizen.id}</code> {[s.citizen.givenName, s.citizen.familyName].filter(Boolean).join(' ')}:{' '}
                        <span className="small-text">{s.fields.length} fields</span>
                      </div>
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
      )}
    </Section>
  );
}
