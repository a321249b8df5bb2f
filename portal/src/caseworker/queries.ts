/**
 * What the caseworker page asks the graph, under the `contest-review`
 * purpose: the contest queue, each contest with its offer and the facts it
 * rests on, and the two decisions. The purpose grants exactly the fields these
 * read (a test compares the lists).
 */
export const CONTEST_PURPOSE = 'contest-review';
export const CASEWORKER_CLIENT = 'caseworker-app';

export const CONTEST_QUEUE = `query ContestQueue($status: ContestStatus) {
  contestQueue(status: $status, first: 50) {
    id reason status reference contestedOn
    citizen { id givenName familyName }
    offer {
      id status amount offeredOn decidedOn child
      programme { code name }
      explanation { legalSource automatic facts { agency field value message { key params } } }
    }
    decision { outcome reason decidedOn decidedBy reference }
  }
}`;

const DECIDED = 'id status decision { outcome reason decidedOn decidedBy reference }';
export const UPHOLD_CONTEST = `mutation UpholdContest($id: ID!, $note: String) { upholdContest(id: $id, note: $note) { ${DECIDED} } }`;
export const REJECT_CONTEST = `mutation RejectContest($id: ID!, $reason: String!) { rejectContest(id: $id, reason: $reason) { ${DECIDED} } }`;

export interface ContestFact { agency: string; field: string; value: string; message: { key: string; params: Record<string, unknown> } | null }
export interface Contest {
  id: string;
  reason: string;
  status: 'QUEUED' | 'IN_REVIEW' | 'RESOLVED';
  reference: string;
  contestedOn: string | null;
  citizen: { id: string; givenName: string | null; familyName: string | null } | null;
  offer: {
    id: string;
    status: string;
    amount: number | null;
    offeredOn: string;
    decidedOn: string | null;
    child: string | null;
    programme: { code: string; name: string };
    explanation: { legalSource: string; automatic: boolean; facts: ContestFact[] };
  } | null;
  decision: { outcome: 'UPHELD' | 'REJECTED'; reason: string | null; decidedOn: string; decidedBy: string; reference: string } | null;
}
