import { oneRowPerKey, rowsPerKey } from '../kit/batch.ts';
import type { Database } from '../../platform/database.ts';
import { INBOX_COLUMNS, OFFER_COLUMNS, type InboxRow, type OfferRow } from './offers-store.ts';

export interface BeneficiaryRow {
  id: string;
  proactive_opt_out: boolean;
  notification_channel: 'portal' | 'email' | 'post';
}
export interface ProgrammeRow {
  code: string;
  name: string;
  description: string;
  kind: 'monthly' | 'one_off';
  legal_source: string;
}
export interface EnrolmentRow {
  id: number;
  person_id: string;
  programme_code: string;
  since: string;
  until: string | null;
  monthly_amount: number | null;
  amount: number | null;
  status: 'active' | 'suspended' | 'ended';
  /** The earliest payment not yet made, if any. */
  next_payment_on: string | null;
}
export type EnrolmentFactRow = Pick<EnrolmentRow, 'person_id' | 'programme_code' | 'status' | 'monthly_amount'>;
export interface PaymentRow {
  id: number;
  person_id: string;
  programme_code: string;
  paid_on: string;
  amount: number;
}

export const PROGRAMME_COLUMNS = 'code, name, description, kind, legal_source';

export function createLoaders(db: Database) {
  return {
    beneficiaryById: oneRowPerKey<BeneficiaryRow>(
      db,
      'SELECT person_id AS id, proactive_opt_out, notification_channel FROM beneficiary WHERE person_id = ANY($1)',
      (row) => row.id,
    ),
    programmeByCode: oneRowPerKey<ProgrammeRow>(db, `SELECT ${PROGRAMME_COLUMNS} FROM programme WHERE code = ANY($1)`, (row) => row.code),
    enrolmentsOf: rowsPerKey<EnrolmentRow>(
      db,
      `SELECT e.id, e.person_id, e.programme_code, e.since, e.until, e.monthly_amount, e.amount, e.status,
              (SELECT min(p.paid_on) FROM payment p WHERE p.enrolment_id = e.id AND p.paid_on > current_date) AS next_payment_on
         FROM enrolment e WHERE e.person_id = ANY($1) ORDER BY e.since DESC, e.id DESC`,
      (row) => row.person_id,
    ),
    paymentsOf: rowsPerKey<PaymentRow>(
      db,
      `SELECT p.id, p.person_id, e.programme_code, p.paid_on, p.amount
         FROM payment p JOIN enrolment e ON e.id = p.enrolment_id
        WHERE p.person_id = ANY($1) ORDER BY p.paid_on DESC, p.id DESC`,
      (row) => row.person_id,
    ),
    offersOf: rowsPerKey<OfferRow & { viewer: string }>(
      db,
      // Withheld findings (the person opted out) are never shown: they are proposed only if the person opts back in.
      // A per-child offer is also the other parents' to see (shared_with).
      `SELECT v.viewer, ${OFFER_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ')}
         FROM unnest($1::text[]) AS v(viewer)
         JOIN offer o ON (o.person_id = v.viewer OR v.viewer = ANY(o.shared_with)) AND o.status <> 'withheld'
        ORDER BY o.created_at DESC, o.id DESC`,
      (row) => row.viewer,
    ),
    offerById: oneRowPerKey<OfferRow>(db, `SELECT ${OFFER_COLUMNS} FROM offer WHERE id = ANY($1::bigint[])`, (row) => String(row.id)),
    /** What the rules read of a person's enrolments (no payment look-up: a page of a thousand households asks for thousands). */
    enrolmentFactsOf: rowsPerKey<EnrolmentFactRow>(
      db,
      `SELECT person_id, programme_code, status, monthly_amount FROM enrolment WHERE person_id = ANY($1) ORDER BY since DESC, id DESC`,
      (row) => row.person_id,
    ),
    /** Children (by id) a birth grant naming them was granted for, to either parent. */
    birthGrantFor: oneRowPerKey<{ child_id: string }>(
      db,
      `SELECT DISTINCT child_id FROM enrolment WHERE programme_code = 'birth-grant' AND child_id = ANY($1)`,
      (row) => row.child_id,
    ),
    inboxOf: rowsPerKey<InboxRow>(
      db,
      `SELECT ${INBOX_COLUMNS} FROM inbox_message WHERE person_id = ANY($1) ORDER BY created_at DESC, id DESC`,
      (row) => row.person_id,
    ),
  };
}

export type BenefitsLoaders = ReturnType<typeof createLoaders>;
