/** "Who may read `Citizen.annualIncome`, and why?" over GET /policy/fields. */
import { useEffect, useState } from 'react';
import { describeErrors } from '../shared/errors.ts';
import { getJson } from '../shared/session.ts';
import { Loading, Problems, Section } from '../shared/ui.tsx';
import type { FieldAnswer } from './types.ts';

export function FieldSearch({ token }: { token: string }) {
  const [text, setText] = useState('Citizen.annualIncome');
  const [matches, setMatches] = useState<string[]>([]);
  const [answer, setAnswer] = useState<FieldAnswer>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => {
      getJson<{ fields: string[] }>(`/policy/fields?q=${encodeURIComponent(text)}`, token).then((r) => setMatches(r.fields), setError);
    }, 150);
    return () => clearTimeout(timer);
  }, [text, token]);

  async function ask(field: string) {
    setLoading(true);
    setError(undefined);
    try {
      setAnswer(await getJson<FieldAnswer>(`/policy/fields/${encodeURIComponent(field)}`, token));
    } catch (e) {
      setAnswer(undefined);
      setError(e);
    } finally {
      setLoading(false);
    }
  }

  return (
    <Section title="Who may read a field, and why">
      <form
        className="field-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void ask(matches.includes(text) ? text : (matches[0] ?? text));
        }}
      >
        <label htmlFor="field-query">Field (Type.field)</label>
        <div className="row">
          <input id="field-query" list="field-options" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" spellCheck={false} />
          <datalist id="field-options">
            {matches.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          <button type="submit">Search</button>
        </div>
      </form>
      <Problems problems={describeErrors(error)} title="No answer" />
      {loading && <Loading what="the answer" />}
      {answer && (
        <div className="field-answer" aria-live="polite">
          <p>
            <code>{answer.field}</code> is classified as <strong>{answer.category ?? 'unclassified (nobody may read it)'}</strong>.{' '}
            {answer.readers.length === 0 ? 'No purpose may read it.' : `${answer.readers.length} purpose${answer.readers.length === 1 ? '' : 's'} may read it:`}
          </p>
          <ul className="readers">
            {answer.readers.map((r) => (
              <li key={r.purpose}>
                <strong>{r.purpose}</strong>
                {r.internal && <span className="muted"> (internal)</span>} — {r.description}
                <br />
                <span className="small-text">
                  Legal basis: {r.legalBasis}. About: {r.subjects.join(', ')}. Assurance: {r.acr}. Clients: {r.clients.length ? r.clients.join(', ') : 'the platform itself'}.
                </span>
              </li>
            ))}
          </ul>
          {answer.deniedBy.length > 0 && <p>Explicitly denied to: {answer.deniedBy.join(', ')}.</p>}
        </div>
      )}
    </Section>
  );
}
