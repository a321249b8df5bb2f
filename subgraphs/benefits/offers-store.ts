/**
 * The SQL of proactive offers, owned by the benefits agency. Recording a page
 * of findings is ONE statement (data-modifying CTEs, which PostgreSQL runs to
 * completion whether or not the final SELECT reads them): new offers, changed
 * amounts, automatic enrolments, inbox messages, expiries and the run's
 * checkpoint commit together or not at all, so a retried page is harmless.
 */
import type { Database } from '../../platform/database.ts';

export interface OfferRow {
  id: number;
  person_id: string;
  programme_code: string;
  occasion: string;
  status: 'proposed' | 'accepted' | 'declined' | 'expired' | 'granted_automatically' | 'objected' | 'withheld' | 'withdrawn';
  amount: number | null;
  facts: StoredFact[];
  rule: string;
  legal_source: string;
  created_at: Date;
  decided_at: Date | null;
  objection_deadline: string | null;
  reference: string | null;
  /** The child a per-child offer (birth grant) is for. */
  child_id: string | null;
  /** The child's other parents: they see the offer too, and may choose its recipient. */
  shared_with: string[];
  /** Who receives it when accepted; null: the person it was found for. */
  recipient_id: string | null;
  recipient_chosen_by: string | null;
}

/** A fact as recorded: its summary, and its message for the person when the finding carried one. */
export interface StoredFact {
  agency: string;
  field: string;
  value: string;
  key?: string;
  params?: Record<string, unknown>;
}

export const OFFER_COLUMNS = 'id, person_id, programme_code, occasion, status, amount, facts, rule, legal_source, created_at, decided_at, objection_deadline, reference, child_id, shared_with, recipient_id, recipient_chosen_by';

export interface InboxRow {
  id: number;
  person_id: string;
  offer_id: number | null;
  subject: string;
  body: string;
  message_key: string;
  params: Record<string, unknown>;
  reference: string | null;
  sender: string;
  signature: string | null;
  created_at: Date;
  read_at: Date | null;
  posted_on: string | null;
  emailed_on: string | null;
}

export const INBOX_COLUMNS = "id, person_id, offer_id, subject, body, message_key, params, reference, sender, signature, created_at, read_at, to_char(posted_on, 'YYYY-MM-DD') AS posted_on, to_char(emailed_on, 'YYYY-MM-DD') AS emailed_on";

/** A decision's reference number: SKA-<year>-<six digits>, from one sequence. */
const NEXT_REFERENCE = `'SKA-' || to_char(current_date, 'YYYY') || '-' || lpad(nextval('decision_reference_seq')::text, 6, '0')`;

/** A receipt for a decision on an offer, in the same statement as the decision (`o` is the decided offer). */
const receipt = (key: string, extra = "'{}'::jsonb") => `receipt AS (
  INSERT INTO inbox_message (person_id, offer_id, kind, subject, body, message_key, params, reference)
  SELECT o.person_id, o.id, 'receipt', 'Your decision: ' || p.name, 'We received your decision. Reference ' || o.reference || '.', '${key}',
         jsonb_build_object('programme', o.programme_code, 'amount', o.amount, 'decidedOn', current_date::text) || ${extra}, o.reference
    FROM o JOIN programme p ON p.code = o.programme_code
  RETURNING id
)`;

export interface ContestRow {
  id: number;
  offer_id: number;
  person_id: string;
  reason: string;
  status: 'queued' | 'in_review' | 'resolved';
  reference: string | null;
  created_at: Date;
  outcome: 'upheld' | 'rejected' | null;
  decision_reason: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reference: string | null;
}

export const CONTEST_COLUMNS = 'id, offer_id, person_id, reason, status, reference, created_at, outcome, decision_reason, decided_by, decided_at, decision_reference';

export interface RunRow {
  id: string;
  checkpoint: string | null;
  checkpoint_page: number;
  evaluated: number;
  finished_at: Date | null;
}

export interface PageFinding {
  personId: string;
  programme: string;
  occasion: string;
  amount: number | null;
  facts: { agency: string; field: string; value: string }[];
  automatic: boolean;
  objectionDays: number | null;
  rule: string;
  legalSource: string;
  child: string | null;
  sharedWith: string[];
}

export interface PageRecord {
  runId: string;
  evaluated: string[];
  findings: PageFinding[];
  checkpoint?: { page: number; after: string | null };
}

export interface RecordedCount {
  programme_code: string;
  outcome: 'proposed' | 'granted_automatically' | 'updated' | 'expired';
  n: number;
}

const RECORD_PAGE = `
WITH found AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::jsonb[], $6::boolean[], $7::int[], $8::text[], $9::text[], $14::text[], $15::jsonb[])
    AS f(person_id, programme_code, occasion, amount, facts, automatic, objection_days, rule, legal_source, child_id, shared)
),
-- Opted-out people get no new proposals: what is found for them is withheld
-- (proposed when they opt back in); grants by law happen regardless (and are reported to them).
wanted AS (
  SELECT DISTINCT ON (f.person_id, f.programme_code, f.occasion) f.*, coalesce(b.proactive_opt_out, false) AS opted_out
    FROM found f LEFT JOIN beneficiary b ON b.person_id = f.person_id
),
upserted AS (
  INSERT INTO offer (person_id, programme_code, occasion, status, amount, facts, rule, legal_source, evaluation_run, objection_deadline, child_id, shared_with)
  SELECT person_id, programme_code, occasion,
         CASE WHEN automatic THEN 'granted_automatically' WHEN opted_out THEN 'withheld' ELSE 'proposed' END,
         amount, facts, rule, legal_source, $10, CASE WHEN automatic THEN current_date + objection_days END,
         child_id, ARRAY(SELECT jsonb_array_elements_text(shared))
    FROM wanted
  ON CONFLICT (person_id, programme_code, occasion) DO UPDATE
     SET facts = EXCLUDED.facts, rule = EXCLUDED.rule, legal_source = EXCLUDED.legal_source, shared_with = EXCLUDED.shared_with,
         evaluation_run = EXCLUDED.evaluation_run, updated_at = now()
   -- Only an open (or withheld) proposal follows the facts; a decided offer is never reopened.
   WHERE offer.status IN ('proposed', 'withheld')
     AND (offer.facts <> EXCLUDED.facts OR offer.legal_source <> EXCLUDED.legal_source OR offer.shared_with <> EXCLUDED.shared_with)
  RETURNING id, person_id, programme_code, status, amount, (xmax = 0) AS is_new
),
-- An automatic top-up replaces the enrolment it tops up, keeping what it was: an objection restores it.
superseded AS (
  UPDATE enrolment e SET status = 'ended', until = current_date, superseded_by_offer = u.id, status_before = e.status, until_before = e.until
    FROM upserted u
   WHERE u.is_new AND u.status = 'granted_automatically'
     AND e.person_id = u.person_id AND e.programme_code = u.programme_code AND e.status <> 'ended'
  RETURNING e.id
),
enrolled AS (
  INSERT INTO enrolment (person_id, programme_code, since, monthly_amount, status, offer_id)
  SELECT person_id, programme_code, current_date, amount, 'active', id FROM upserted WHERE is_new AND status = 'granted_automatically'
  RETURNING id
),
messages AS (
  INSERT INTO inbox_message (person_id, offer_id, kind, message_key, params, subject, body)
  SELECT u.person_id, u.id, CASE WHEN u.status = 'proposed' THEN 'offer_proposed' ELSE 'granted_automatically' END,
         CASE WHEN u.status = 'proposed' THEN 'inbox.offerProposed' ELSE 'inbox.grantedAutomatically' END,
         jsonb_build_object('programme', u.programme_code, 'amount', u.amount, 'offer', u.id::text),
         CASE WHEN u.status = 'proposed' THEN 'New offer: ' || p.name ELSE 'Granted automatically: ' || p.name END,
         CASE WHEN u.status = 'proposed'
              THEN 'We found that you are entitled to ' || p.name || coalesce(' (' || u.amount || ' €)', '') || '. You can accept or decline it in your offers, and see the facts it rests on.'
              ELSE 'By law you receive ' || p.name || coalesce(' (' || u.amount || ' €)', '') || '. If you do not want it, you may object in your offers within the objection period.' END
    FROM upserted u JOIN programme p ON p.code = u.programme_code
   WHERE u.is_new AND u.status <> 'withheld'
  ON CONFLICT (offer_id, kind) WHERE kind IN ('offer_proposed', 'granted_automatically') DO NOTHING
  RETURNING id
),
expired AS (
  UPDATE offer o SET status = 'expired', decided_at = now(), updated_at = now()
   WHERE o.person_id = ANY($11::text[]) AND o.status IN ('proposed', 'withheld')
     AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.person_id = o.person_id AND w.programme_code = o.programme_code AND w.occasion = o.occasion)
  RETURNING o.programme_code
),
run AS (
  INSERT INTO evaluation_run AS r (id, evaluated, checkpoint_page, checkpoint)
  VALUES ($10, cardinality($11::text[]), coalesce($12, -1), $13)
  ON CONFLICT (id) DO UPDATE
     SET evaluated = r.evaluated + EXCLUDED.evaluated,
         checkpoint = CASE WHEN EXCLUDED.checkpoint_page > r.checkpoint_page THEN EXCLUDED.checkpoint ELSE r.checkpoint END,
         checkpoint_page = GREATEST(r.checkpoint_page, EXCLUDED.checkpoint_page)
  RETURNING id
)
SELECT programme_code, CASE WHEN is_new THEN status ELSE 'updated' END AS outcome, count(*)::int AS n
  FROM upserted
 GROUP BY 1, 2
UNION ALL
SELECT programme_code, 'expired', count(*)::int FROM expired GROUP BY 1`;

export function offersStore(db: Database) {
  return {
    async recordPage(page: PageRecord): Promise<RecordedCount[]> {
      const f = page.findings;
      return db.query<RecordedCount>(RECORD_PAGE, [
        f.map((x) => x.personId),
        f.map((x) => x.programme),
        f.map((x) => x.occasion),
        f.map((x) => x.amount),
        f.map((x) => JSON.stringify(x.facts)),
        f.map((x) => x.automatic),
        f.map((x) => x.objectionDays),
        f.map((x) => x.rule),
        f.map((x) => x.legalSource),
        page.runId,
        page.evaluated,
        page.checkpoint?.page ?? null,
        page.checkpoint?.after ?? null,
        f.map((x) => x.child),
        f.map((x) => JSON.stringify(x.sharedWith)),
      ]);
    },

    async startRun(id: string): Promise<RunRow> {
      const [row] = await db.query<RunRow>(
        `INSERT INTO evaluation_run AS r (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET id = r.id
         RETURNING id, checkpoint, checkpoint_page, evaluated, finished_at`,
        [id],
      );
      return row!;
    },

    async finishRun(id: string): Promise<RunRow | undefined> {
      const [row] = await db.query<RunRow>(
        `UPDATE evaluation_run SET finished_at = coalesce(finished_at, now()) WHERE id = $1
         RETURNING id, checkpoint, checkpoint_page, evaluated, finished_at`,
        [id],
      );
      return row;
    },

    /** The offer, if it belongs to one of `people` (the caller and those they represent), or is shared with one of them. */
    async offerOf(id: string, people: string[]): Promise<OfferRow | undefined> {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      const [row] = await db.query<OfferRow>(
        `SELECT ${OFFER_COLUMNS} FROM offer WHERE id = $1 AND (person_id = ANY($2) OR shared_with && $2::text[]) AND status <> 'withheld'`,
        [id, people],
      );
      return row;
    },

    /**
     * proposed -> accepted, enrolling the recipient (the person, or the parent
     * chosen for a birth grant; a monthly top-up replaces the enrolment it tops
     * up); a one-off grant names its child and is scheduled for `paymentDay`. The
     * decision gets its reference number and a receipt in the inbox, in the same statement.
     */
    async accept(id: number, paymentDay: string): Promise<OfferRow | undefined> {
      const [row] = await db.query<OfferRow>(
        `WITH o AS (
           UPDATE offer SET status = 'accepted', decided_at = now(), updated_at = now(), reference = ${NEXT_REFERENCE}
            WHERE id = $1 AND status = 'proposed' RETURNING ${OFFER_COLUMNS}
         ), p AS (SELECT p.* FROM programme p JOIN o ON o.programme_code = p.code),
         superseded AS (
           UPDATE enrolment e SET status = 'ended', until = current_date FROM o, p
            WHERE p.kind = 'monthly' AND e.person_id = o.person_id AND e.programme_code = o.programme_code AND e.status <> 'ended'
           RETURNING e.id
         ), enrolled AS (
           INSERT INTO enrolment (person_id, programme_code, since, until, monthly_amount, amount, status, offer_id, child_id)
           SELECT coalesce(o.recipient_id, o.person_id), o.programme_code, current_date,
                  CASE WHEN p.kind = 'one_off' THEN $2::date END,
                  CASE WHEN p.kind = 'monthly' THEN o.amount END,
                  CASE WHEN p.kind = 'one_off' THEN o.amount END,
                  'active', o.id, o.child_id
             FROM o, p
           RETURNING id, person_id, amount
         ), scheduled AS (
           INSERT INTO payment (enrolment_id, person_id, paid_on, amount)
           SELECT id, person_id, $2::date, amount FROM enrolled WHERE amount IS NOT NULL
           RETURNING id
         ), ${receipt('inbox.receipt.accepted', "jsonb_build_object('paymentDay', $2::text, 'kind', (SELECT kind FROM p))")}
         SELECT * FROM o`,
        [id, paymentDay],
      );
      return row;
    },

    async decline(id: number): Promise<OfferRow | undefined> {
      const [row] = await db.query<OfferRow>(
        `WITH o AS (
           UPDATE offer SET status = 'declined', decided_at = now(), updated_at = now(), reference = ${NEXT_REFERENCE}
            WHERE id = $1 AND status = 'proposed' RETURNING ${OFFER_COLUMNS}
         ), ${receipt('inbox.receipt.declined')}
         SELECT * FROM o`,
        [id],
      );
      return row;
    },

    /** An open proposal taken back without a decision (after opting out, say): a later evaluation may offer it again. */
    async withdraw(id: number): Promise<OfferRow | undefined> {
      const [row] = await db.query<OfferRow>(
        `WITH o AS (
           UPDATE offer SET status = 'withdrawn', decided_at = now(), updated_at = now(), reference = ${NEXT_REFERENCE}
            WHERE id = $1 AND status = 'proposed' RETURNING ${OFFER_COLUMNS}
         ), ${receipt('inbox.receipt.withdrawn')}
         SELECT * FROM o`,
        [id],
      );
      return row;
    },

    /**
     * granted_automatically -> objected within the period; the enrolment it
     * created ends, and the enrolment it topped up is restored as it was, so
     * the person keeps what they had before.
     */
    async object(id: number): Promise<OfferRow | undefined> {
      const [row] = await db.query<OfferRow>(
        `WITH o AS (
           UPDATE offer SET status = 'objected', decided_at = now(), updated_at = now(), reference = ${NEXT_REFERENCE}
            WHERE id = $1 AND status = 'granted_automatically' AND current_date <= objection_deadline
           RETURNING ${OFFER_COLUMNS}
         ), ended AS (
           UPDATE enrolment e SET status = 'ended', until = current_date FROM o WHERE e.offer_id = o.id AND e.status <> 'ended' RETURNING e.id
         ), restored AS (
           UPDATE enrolment e SET status = e.status_before, until = e.until_before, superseded_by_offer = NULL, status_before = NULL, until_before = NULL
             FROM o WHERE e.superseded_by_offer = o.id AND e.status = 'ended'
           RETURNING e.id
         ), ${receipt('inbox.receipt.objected')}
         SELECT * FROM o`,
        [id],
      );
      return row;
    },

    /**
     * A parent chooses who receives an open per-child offer (the birth
     * grant): the person it was found for or one of the child's other parents.
     * Recorded with who chose and when, with a reference number and a receipt
     * to the chooser.
     */
    async chooseRecipient(id: number, recipient: string, chosenBy: string): Promise<OfferRow | undefined> {
      const [row] = await db.query<OfferRow>(
        `WITH o AS (
           UPDATE offer SET recipient_id = CASE WHEN $2 = person_id THEN NULL ELSE $2 END, recipient_chosen_by = $3, recipient_chosen_at = now(), updated_at = now()
            WHERE id = $1 AND status = 'proposed' AND child_id IS NOT NULL AND ($2 = person_id OR $2 = ANY(shared_with))
           RETURNING ${OFFER_COLUMNS}
         ), receipt AS (
           INSERT INTO inbox_message (person_id, offer_id, kind, subject, body, message_key, params, reference)
           SELECT $3, o.id, 'receipt', 'Your choice: ' || p.name, 'We saved who receives it. Reference ' || r.reference || '.', 'inbox.receipt.recipientChosen',
                  jsonb_build_object('programme', o.programme_code, 'recipient', $2::text, 'child', o.child_id), r.reference
             FROM o JOIN programme p ON p.code = o.programme_code, (SELECT ${NEXT_REFERENCE} AS reference) r
           RETURNING id
         )
         SELECT * FROM o`,
        [id, recipient, chosenBy],
      );
      return row;
    },

    async contest(offerId: number, personId: string, actor: string, reason: string) {
      const [row] = await db.query<ContestRow>(
        `WITH c AS (
           INSERT INTO offer_contest (offer_id, person_id, contested_by, reason, reference) VALUES ($1, $2, $3, $4, ${NEXT_REFERENCE})
           RETURNING ${CONTEST_COLUMNS}
         ), receipt AS (
           INSERT INTO inbox_message (person_id, offer_id, kind, subject, body, message_key, params, reference)
           SELECT $2, c.offer_id, 'receipt', 'Your objection was received', 'A caseworker will review it. Reference ' || c.reference || '.',
                  'inbox.receipt.contested', jsonb_build_object('programme', o.programme_code), c.reference
             FROM c JOIN offer o ON o.id = c.offer_id
           RETURNING id
         )
         SELECT * FROM c`,
        [offerId, personId, actor, reason],
      );
      return row!;
    },

    /** Contests in a state, oldest first (the caseworker's queue), or newest decided first. */
    async contests(status: ContestRow['status'], first: number): Promise<ContestRow[]> {
      return db.query<ContestRow>(
        `SELECT ${CONTEST_COLUMNS} FROM offer_contest WHERE status = $1
          ORDER BY CASE WHEN $1 = 'resolved' THEN -extract(epoch FROM decided_at) ELSE extract(epoch FROM created_at) END, id LIMIT $2`,
        [status, first],
      );
    },

    async contestById(id: string): Promise<ContestRow | undefined> {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      const [row] = await db.query<ContestRow>(`SELECT ${CONTEST_COLUMNS} FROM offer_contest WHERE id = $1`, [id]);
      return row;
    },

    /**
     * A caseworker's decision on an open contest, in one statement with its
     * effect and the person's letter: upheld, a closed offer (declined,
     * expired, withdrawn, objected) is reopened for the person to decide
     * again; rejected, nothing changes and the person is told why.
     * Granting an open offer on an upheld contest is the caller's next step
     * (the same statement as a citizen's acceptance).
     */
    async decideContest(id: number, outcome: 'upheld' | 'rejected', reason: string | null, caseworker: string): Promise<ContestRow | undefined> {
      const [row] = await db.query<ContestRow>(
        `WITH c AS (
           UPDATE offer_contest SET status = 'resolved', outcome = $2, decision_reason = $3, decided_by = $4, decided_at = now(), decision_reference = ${NEXT_REFERENCE}
            WHERE id = $1 AND status <> 'resolved'
           RETURNING ${CONTEST_COLUMNS}
         ), reopened AS (
           UPDATE offer o SET status = 'proposed', decided_at = NULL, reference = NULL, updated_at = now()
             FROM c WHERE $2 = 'upheld' AND o.id = c.offer_id AND o.status IN ('declined', 'expired', 'withdrawn', 'objected')
           RETURNING o.id
         ), letter AS (
           INSERT INTO inbox_message (person_id, offer_id, kind, subject, body, message_key, params, reference)
           SELECT c.person_id, c.offer_id, 'contest_decision',
                  CASE WHEN $2 = 'upheld' THEN 'Your objection was upheld: ' ELSE 'Your objection was rejected: ' END || p.name,
                  CASE WHEN $2 = 'upheld' THEN 'A caseworker agreed with you; see your offers.' ELSE 'A caseworker reviewed your objection and did not change the decision: ' || coalesce($3, '') END
                    || ' Reference ' || c.decision_reference || '.',
                  CASE WHEN $2 = 'upheld' THEN 'inbox.contest.upheld' ELSE 'inbox.contest.rejected' END,
                  jsonb_build_object('programme', o.programme_code, 'reason', coalesce($3, ''), 'contest', c.reference), c.decision_reference
             FROM c JOIN offer o ON o.id = c.offer_id JOIN programme p ON p.code = o.programme_code
           RETURNING id
         )
         SELECT * FROM c`,
        [id, outcome, reason, caseworker],
      );
      return row;
    },

    /** Offers by id (the caseworker's queue shows each contest's offer). */
    async offersById(ids: readonly string[]): Promise<OfferRow[]> {
      return db.query<OfferRow>(`SELECT ${OFFER_COLUMNS} FROM offer WHERE id = ANY($1::bigint[])`, [ids]);
    },

    /**
     * The proactive preference, with a receipt. Opting out stops new proposals
     * only: open offers stay open (the person withdraws them one by one if they
     * wish). Opting back in proposes at once what was found meanwhile (withheld
     * findings), with their offer letters.
     */
    async setOptOut(personId: string, optOut: boolean): Promise<{ reference: string; proposed: number }> {
      const [row] = await db.query<{ reference: string; proposed: number }>(
        `WITH pref AS (
           INSERT INTO beneficiary (person_id, proactive_opt_out) VALUES ($1, $2)
           ON CONFLICT (person_id) DO UPDATE SET proactive_opt_out = EXCLUDED.proactive_opt_out RETURNING person_id
         ), released AS (
           UPDATE offer SET status = 'proposed', updated_at = now()
            WHERE NOT $2 AND person_id = (SELECT person_id FROM pref) AND status = 'withheld'
           RETURNING id, person_id, programme_code, amount
         ), letters AS (
           INSERT INTO inbox_message (person_id, offer_id, kind, message_key, params, subject, body)
           SELECT r.person_id, r.id, 'offer_proposed', 'inbox.offerProposed',
                  jsonb_build_object('programme', r.programme_code, 'amount', r.amount, 'offer', r.id::text),
                  'New offer: ' || p.name, 'We found that you are entitled to ' || p.name || '. You can accept or decline it in your offers.'
             FROM released r JOIN programme p ON p.code = r.programme_code
           ON CONFLICT (offer_id, kind) WHERE kind IN ('offer_proposed', 'granted_automatically') DO NOTHING
           RETURNING id
         ), ref AS (SELECT ${NEXT_REFERENCE} AS reference),
         receipt AS (
           INSERT INTO inbox_message (person_id, kind, subject, body, message_key, params, reference)
           SELECT $1, 'preference', 'Your choice about proactive offers', 'We saved your choice. Reference ' || ref.reference || '.',
                  CASE WHEN $2 THEN 'inbox.receipt.optedOut' ELSE 'inbox.receipt.optedIn' END,
                  jsonb_build_object('proposed', (SELECT count(*) FROM released)), ref.reference
             FROM ref
           RETURNING reference
         )
         SELECT (SELECT reference FROM receipt) AS reference, (SELECT count(*)::int FROM released) AS proposed`,
        [personId, optOut],
      );
      return row!;
    },

    async setNotificationChannel(personId: string, channel: 'portal' | 'email' | 'post'): Promise<void> {
      await db.query(
        `INSERT INTO beneficiary (person_id, notification_channel) VALUES ($1, $2)
         ON CONFLICT (person_id) DO UPDATE SET notification_channel = EXCLUDED.notification_channel,
           notification_channel_since = CASE WHEN beneficiary.notification_channel = EXCLUDED.notification_channel
                                             THEN beneficiary.notification_channel_since ELSE now() END`,
        [personId, channel],
      );
    },

    async markRead(id: string, people: string[]): Promise<InboxRow | undefined> {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      const [row] = await db.query<InboxRow>(
        `UPDATE inbox_message SET read_at = coalesce(read_at, now()) WHERE id = $1 AND person_id = ANY($2)
         RETURNING ${INBOX_COLUMNS}`,
        [id, people],
      );
      return row;
    },
  };
}
