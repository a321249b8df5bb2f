import { oneRowPerKey, rowsPerKey } from '../kit/batch.ts';
import type { Database } from '../../platform/database.ts';
import { OFFER_COLUMNS, type InboxRow, type OfferRow } from './offers-store.ts';

export interface BeneficiaryRow {
  id: string;
  proactive_opt_out: boolean;
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
  status: 'active' | 'suspended' | 'ended';
}
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
      'SELECT person_id AS id, proactive_opt_out FROM beneficiary WHERE person_id = ANY($1)',
      (row) => row.id,
    ),
    programmeByCode: oneRowPerKey<ProgrammeRow>(db, `SELECT ${PROGRAMME_COLUMNS} FROM programme WHERE code = ANY($1)`, (row) => row.code),
    enrolmentsOf: rowsPerKey<EnrolmentRow>(
      db,
      `SELECT id, person_id, programme_code, since, until, monthly_amount, status
         FROM enrolment WHERE person_id = ANY($1) ORDER BY since DESC, id DESC`,
      (row) => row.person_id,
    ),
    paymentsOf: rowsPerKey<PaymentRow>(
      db,
      `SELECT p.id, p.person_id, e.programme_code, p.paid_on, p.amount
         FROM payment p JOIN enrolment e ON e.id = p.enrolment_id
        WHERE p.person_id = ANY($1) ORDER BY p.paid_on DESC, p.id DESC`,
      (row) => row.person_id,
    ),
    offersOf: rowsPerKey<OfferRow>(
      db,
      `SELECT ${OFFER_COLUMNS} FROM offer WHERE person_id = ANY($1) ORDER BY created_at DESC, id DESC`,
      (row) => row.person_id,
    ),
    inboxOf: rowsPerKey<InboxRow>(
      db,
      `SELECT id, person_id, offer_id, subject, body, created_at, read_at
         FROM inbox_message WHERE person_id = ANY($1) ORDER BY created_at DESC, id DESC`,
      (row) => row.person_id,
    ),
  };
}

export type BenefitsLoaders = ReturnType<typeof createLoaders>;
