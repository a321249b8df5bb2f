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
  status: 'proposed' | 'accepted' | 'declined' | 'expired' | 'granted_automatically' | 'objected';
  amount: number | null;
  facts: { agency: string; field: string; value: string }[];
  rule: string;
  legal_source: string;
  created_at: Date;
  decided_at: Date | null;
  objection_deadline: string | null;
}

export const OFFER_COLUMNS = 'id, person_id, programme_code, occasion, status, amount, facts, rule, legal_source, created_at, decided_at, objection_deadline';

export interface InboxRow {
  id: number;
  person_id: string;
  offer_id: number | null;
  subject: string;
  body: string;
  created_at: Date;
  read_at: Date | null;
}

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
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::jsonb[], $6::boolean[], $7::int[], $8::text[], $9::text[])
    AS f(person_id, programme_code, occasion, amount, facts, automatic, objection_days, rule, legal_source)
),
-- Opted-out people get no proposals; grants by law happen regardless (and are reported to them).
wanted AS (
  SELECT DISTINCT ON (f.person_id, f.programme_code, f.occasion) f.* FROM found f LEFT JOIN beneficiary b ON b.person_id = f.person_id
   WHERE f.automatic OR NOT coalesce(b.proactive_opt_out, false)
),
upserted AS (
  INSERT INTO offer (person_id, programme_code, occasion, status, amount, facts, rule, legal_source, evaluation_run, objection_deadline)
  SELECT person_id, programme_code, occasion, CASE WHEN automatic THEN 'granted_automatically' ELSE 'proposed' END,
         amount, facts, rule, legal_source, $10, CASE WHEN automatic THEN current_date + objection_days END
    FROM wanted
  ON CONFLICT (person_id, programme_code, occasion) DO UPDATE
     SET facts = EXCLUDED.facts, rule = EXCLUDED.rule, legal_source = EXCLUDED.legal_source,
         evaluation_run = EXCLUDED.evaluation_run, updated_at = now()
   -- Only an open proposal follows the facts; a decided offer is never reopened.
   WHERE offer.status = 'proposed' AND (offer.facts <> EXCLUDED.facts OR offer.legal_source <> EXCLUDED.legal_source)
  RETURNING id, person_id, programme_code, status, amount, (xmax = 0) AS is_new
),
-- An automatic top-up replaces the enrolment it tops up.
superseded AS (
  UPDATE enrolment e SET status = 'ended', until = current_date
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
  INSERT INTO inbox_message (person_id, offer_id, kind, subject, body)
  SELECT u.person_id, u.id, CASE WHEN u.status = 'proposed' THEN 'offer_proposed' ELSE 'granted_automatically' END,
         CASE WHEN u.status = 'proposed' THEN 'New offer: ' || p.name ELSE 'Granted automatically: ' || p.name END,
         CASE WHEN u.status = 'proposed'
              THEN 'We found that you are entitled to ' || p.name || coalesce(' (' || u.amount || ' €)', '') || '. You can accept or decline it in your offers, and see the facts it rests on.'
              ELSE 'By law you receive ' || p.name || coalesce(' (' || u.amount || ' €)', '') || '. If you do not want it, you may object in your offers within the objection period.' END
    FROM upserted u JOIN programme p ON p.code = u.programme_code
   WHERE u.is_new
  ON CONFLICT (offer_id, kind) DO NOTHING
  RETURNING id
),
expired AS (
  UPDATE offer o SET status = 'expired', decided_at = now(), updated_at = now()
   WHERE o.person_id = ANY($11::text[]) AND o.status = 'proposed'
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

    /** The offer, if it belongs to one of `people` (the caller and those they represent). */
    async offerOf(id: string, people: string[]): Promise<OfferRow | undefined> {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      const [row] = await db.query<OfferRow>(`SELECT ${OFFER_COLUMNS} FROM offer WHERE id = $1 AND person_id = ANY($2)`, [id, people]);
      return row;
    },

    /** proposed -> accepted, enrolling the person (a monthly top-up replaces the enrolment it tops up). */
    async accept(id: number): Promise<OfferRow | undefined> {
      const [row] = await db.query<OfferRow>(
        `WITH o AS (
           UPDATE offer SET status = 'accepted', decided_at = now(), updated_at = now()
            WHERE id = $1 AND status = 'proposed' RETURNING ${OFFER_COLUMNS}
         ), p AS (SELECT p.* FROM programme p JOIN o ON o.programme_code = p.code),
         superseded AS (
           UPDATE enrolment e SET status = 'ended', until = current_date FROM o, p
            WHERE p.kind = 'monthly' AND e.person_id = o.person_id AND e.programme_code = o.programme_code AND e.status <> 'ended'
           RETURNING e.id
         ), enrolled AS (
           INSERT INTO enrolment (person_id, programme_code, since, until, monthly_amount, status, offer_id)
           SELECT o.person_id, o.programme_code, current_date,
                  CASE WHEN p.kind = 'one_off' THEN current_date END,
                  CASE WHEN p.kind = 'monthly' THEN o.amount END,
                  CASE WHEN p.kind = 'one_off' THEN 'ended' ELSE 'active' END, o.id
             FROM o, p
           RETURNING id
         )
         SELECT * FROM o`,
        [id],
      );
      return row;
    },

    async decline(id: number): Promise<OfferRow | undefined> {
      const [row] = await db.query<OfferRow>(
        `UPDATE offer SET status = 'declined', decided_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'proposed' RETURNING ${OFFER_COLUMNS}`,
        [id],
      );
      return row;
    },

    /** granted_automatically -> objected within the period; the enrolment it created ends. */
    async object(id: number): Promise<OfferRow | undefined> {
      const [row] = await db.query<OfferRow>(
        `WITH o AS (
           UPDATE offer SET status = 'objected', decided_at = now(), updated_at = now()
            WHERE id = $1 AND status = 'granted_automatically' AND current_date <= objection_deadline
           RETURNING ${OFFER_COLUMNS}
         ), ended AS (
           UPDATE enrolment e SET status = 'ended', until = current_date FROM o WHERE e.offer_id = o.id AND e.status <> 'ended' RETURNING e.id
         )
         SELECT * FROM o`,
        [id],
      );
      return row;
    },

    async contest(offerId: number, personId: string, actor: string, reason: string) {
      const [row] = await db.query<{ id: number; offer_id: number; reason: string; status: string }>(
        `INSERT INTO offer_contest (offer_id, person_id, contested_by, reason) VALUES ($1, $2, $3, $4)
         RETURNING id, offer_id, reason, status`,
        [offerId, personId, actor, reason],
      );
      return row!;
    },

    /** Opting out also withdraws open proposals: an opted-out person is sent none. */
    async setOptOut(personId: string, optOut: boolean): Promise<void> {
      await db.query(
        `WITH pref AS (
           INSERT INTO beneficiary (person_id, proactive_opt_out) VALUES ($1, $2)
           ON CONFLICT (person_id) DO UPDATE SET proactive_opt_out = EXCLUDED.proactive_opt_out RETURNING person_id
         )
         UPDATE offer SET status = 'expired', decided_at = now(), updated_at = now()
          WHERE $2 AND person_id = (SELECT person_id FROM pref) AND status = 'proposed'`,
        [personId, optOut],
      );
    },

    async markRead(id: string, people: string[]): Promise<InboxRow | undefined> {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      const [row] = await db.query<InboxRow>(
        `UPDATE inbox_message SET read_at = coalesce(read_at, now()) WHERE id = $1 AND person_id = ANY($2)
         RETURNING id, person_id, offer_id, subject, body, created_at, read_at`,
        [id, people],
      );
      return row;
    },
  };
}
