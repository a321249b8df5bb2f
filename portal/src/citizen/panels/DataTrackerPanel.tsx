/** "Who read my data": the citizen's entries of the audit log (transparency subgraph), newest first. */
import { gql } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { checkEntryProof, type EntryCheck } from '../proof-check.ts';
import { describeErrors, isNotInSchema } from '../../shared/errors.ts';
import { dataOf } from '../../shared/graphql.ts';
import { Loading, Problems, Section } from '../../shared/ui.tsx';

export const DATA_ACCESS_LOG = gql`
  query PortalDataAccessLog($first: Int!, $after: String, $excludeOwnReads: Boolean!) {
    me {
      id
      dataAccessLog(first: $first, after: $after, excludeOwnReads: $excludeOwnReads) {
        entries {
          at
          client
          agencies
          purpose
          purposeDescription
          legalBasis
          caseReference
          fields
          byYou
          archived
          proof
        }
        hasNextPage
        endCursor
      }
    }
  }
`;

interface Entry {
  at: string;
  client: string;
  agencies: string[];
  purpose: string;
  purposeDescription: string | null;
  legalBasis: string | null;
  caseReference: string | null;
  fields: string[];
  byYou: boolean;
  archived: boolean;
  proof: string | null;
}

interface Data {
  me: { id: string; dataAccessLog: { entries: Entry[]; hasNextPage: boolean; endCursor: string | null } | null } | null;
}

const PAGE = 10;
const when = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** "Check this entry": the proof checked here, in the browser, against the witness's public key. */
function EntryProof({ entry }: { entry: Entry }) {
  const [check, setCheck] = useState<EntryCheck | 'checking' | undefined>();
  if (!entry.proof) return <p className="muted small-text">This entry is too recent to check yet: try again in a minute.</p>;
  const proof = entry.proof;
  const run = async () => {
    setCheck('checking');
    setCheck(await checkEntryProof(proof, entry));
  };
  return (
    <div className="entry-proof">
      <button type="button" className="secondary small" onClick={() => void run()} disabled={check === 'checking'}>
        Check this entry
      </button>{' '}
      <a className="small-text" download={`audit-entry-${entry.at.replace(/[:.]/g, '-')}.json`} href={`data:application/json;charset=utf-8,${encodeURIComponent(proof)}`}>
        Download its proof
      </a>
      {check && check !== 'checking' && (
        <p className={check.ok ? 'proof-ok' : 'proof-bad'} role="status">
          {check.ok ? '✓ ' : '✗ '}
          {check.summary}
        </p>
      )}
    </div>
  );
}

export function DataTrackerPanel() {
  const [excludeOwnReads, setExclude] = useState(false);
  const result = useQuery(DATA_ACCESS_LOG, {
    variables: { first: PAGE, after: null as string | null, excludeOwnReads },
    // Always fresh: the portal's own reads land in the log as the page is used.
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: true,
  });
  const { loading, error, fetchMore, refetch } = result;
  const data = dataOf<Data>(result);
  const problems = describeErrors(error);
  const log = data?.me?.dataAccessLog;
  const more = async () => {
    if (!log?.endCursor) return;
    await fetchMore({
      variables: { after: log.endCursor },
      updateQuery: (previousResult, { fetchMoreResult }) => {
        const previous = previousResult as Data;
        const prev = previous.me?.dataAccessLog;
        const next = (fetchMoreResult as Data).me?.dataAccessLog;
        if (!previous.me || !prev || !next) return previous;
        return { me: { ...previous.me, dataAccessLog: { ...next, entries: [...prev.entries, ...next.entries] } } };
      },
    });
  };
  return (
    <Section
      title="Who read my data"
      className="tracker wide"
      actions={
        <button type="button" className="secondary small" onClick={() => void refetch()} disabled={loading}>
          Refresh
        </button>
      }
    >
      <p className="source">Every read of your data through the state's data exchange, with its purpose and legal basis.</p>
      <div className="inline-field">
        <input id="exclude-own" type="checkbox" checked={excludeOwnReads} onChange={(e) => setExclude(e.target.checked)} />
        <label htmlFor="exclude-own">Hide the reads I made myself</label>
      </div>
      {isNotInSchema(problems) ? (
        <p className="muted">The data tracker is not available on this gateway yet.</p>
      ) : (
        <Problems problems={problems} title="The data tracker could not be loaded" />
      )}
      {loading && !log && <Loading what="who read your data" />}
      {log && log.entries.length === 0 && <p className="muted">Nobody has read your data yet.</p>}
      {log && log.entries.length > 0 && (
        <ol className="tracker-list" aria-label="Reads of your data, newest first">
          {log.entries.map((e, i) => (
            <li key={`${e.at}-${i}`} data-by-you={e.byYou} data-client={e.client}>
              <div className="tracker-head">
                <time dateTime={e.at}>{when(e.at)}</time> <strong>{e.client}</strong> {e.byYou && <span className="badge">you</span>}
                {e.archived && (
                  <span className="badge" title="Older entries are kept in the archive of the audit log: they stay here and can still be checked">
                    archived
                  </span>
                )}
              </div>
              <div>
                Purpose: <span className="purpose">{e.purposeDescription ?? e.purpose}</span>
                {e.caseReference && <> · case {e.caseReference}</>}
              </div>
              {e.legalBasis && <div className="muted small-text">Legal basis: {e.legalBasis}</div>}
              <details>
                <summary>
                  {e.fields.length} field{e.fields.length === 1 ? '' : 's'} from {e.agencies.join(', ')}
                </summary>
                <p className="fields">{e.fields.join(', ')}</p>
              </details>
              <EntryProof entry={e} />
            </li>
          ))}
        </ol>
      )}
      {log?.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void more()} disabled={loading}>
          Show older reads
        </button>
      )}
    </Section>
  );
}
