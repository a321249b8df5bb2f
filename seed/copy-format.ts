/**
 * Rows as lines of PostgreSQL's COPY text format: columns separated by tabs,
 * NULL written \N, and backslash, tab, newline and carriage return escaped in
 * text. One hand-written writer per table, because a generic column loop is
 * measurably slower over the ~15 million rows of a full population, and only
 * free text (names, addresses, e-mail) can hold characters that need escaping.
 */
import type { SeedRowTypes, SeedTable } from './rows.ts';

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text value for COPY; apostrophes and quotes need nothing, only the four COPY metacharacters do. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (ch) => ESCAPES[ch]!) : value;
}

/** Values the generator makes itself (codes, dates, enums, numbers) never contain metacharacters. */
const plain = (value: string | number | null): string => (value === null ? '\\N' : String(value));

export const COPY_COLUMNS: { readonly [T in SeedTable]: readonly (keyof SeedRowTypes[T] & string)[] } = {
  citizen: ['id', 'given_name', 'family_name', 'date_of_birth', 'date_of_death', 'sex', 'citizenship', 'municipality', 'postal_code', 'street_address', 'email', 'phone', 'preferred_language', 'registered_at'],
  employer: ['id', 'name'],
  taxpayer: ['person_id', 'residency', 'country', 'insured_years'],
  employment: ['person_id', 'employer_id', 'since', 'until'],
  income: ['person_id', 'year', 'kind', 'amount'],
  assessment: ['person_id', 'year', 'taxable_income', 'assessed_tax', 'withheld_tax', 'assessed_on'],
  civil_status: ['person_id', 'marital_status'],
  parentage: ['parent_id', 'child_id', 'parent_role'],
  partnership: ['id', 'person_a', 'person_b', 'kind', 'since', 'until'],
  household_member: ['person_id', 'household_id'],
  guardianship: ['guardian_id', 'ward_id', 'basis', 'since', 'until'],
  life_event: ['id', 'person_id', 'kind', 'occurred_on', 'related_person_id'],
  beneficiary: ['person_id', 'proactive_opt_out'],
  enrolment: ['id', 'person_id', 'programme_code', 'since', 'until', 'monthly_amount', 'status', 'child_id'],
  payment: ['id', 'enrolment_id', 'person_id', 'paid_on', 'amount'],
  study: ['person_id', 'institution_code', 'institution_name', 'level', 'since', 'until'],
};

/** Each writer emits the columns in COPY_COLUMNS order and ends the line. */
export const COPY_LINE: { readonly [T in SeedTable]: (row: SeedRowTypes[T]) => string } = {
  citizen: (r) =>
    `${r.id}\t${copyText(r.given_name)}\t${copyText(r.family_name)}\t${r.date_of_birth}\t${plain(r.date_of_death)}\t${r.sex}\t${r.citizenship}\t${copyText(r.municipality)}\t${copyText(r.postal_code)}\t${copyText(r.street_address)}\t${copyText(r.email)}\t${copyText(r.phone)}\t${r.preferred_language}\t${r.registered_at} 00:00:00+00\n`,
  employer: (r) => `${r.id}\t${copyText(r.name)}\n`,
  taxpayer: (r) => `${r.person_id}\t${r.residency}\t${r.country}\t${r.insured_years}\n`,
  employment: (r) => `${r.person_id}\t${r.employer_id}\t${r.since}\t${plain(r.until)}\n`,
  income: (r) => `${r.person_id}\t${r.year}\t${r.kind}\t${r.amount}\n`,
  assessment: (r) => `${r.person_id}\t${r.year}\t${r.taxable_income}\t${r.assessed_tax}\t${r.withheld_tax}\t${r.assessed_on}\n`,
  civil_status: (r) => `${r.person_id}\t${r.marital_status}\n`,
  parentage: (r) => `${r.parent_id}\t${r.child_id}\t${r.parent_role}\n`,
  partnership: (r) => `${r.id}\t${r.person_a}\t${r.person_b}\t${r.kind}\t${r.since}\t${plain(r.until)}\n`,
  household_member: (r) => `${r.person_id}\t${r.household_id}\n`,
  guardianship: (r) => `${r.guardian_id}\t${r.ward_id}\t${r.basis}\t${r.since}\t${plain(r.until)}\n`,
  life_event: (r) => `${r.id}\t${r.person_id}\t${r.kind}\t${r.occurred_on}\t${plain(r.related_person_id)}\n`,
  beneficiary: (r) => `${r.person_id}\t${r.proactive_opt_out ? 't' : 'f'}\n`,
  enrolment: (r) => `${r.id}\t${r.person_id}\t${r.programme_code}\t${r.since}\t${plain(r.until)}\t${plain(r.monthly_amount)}\t${r.status}\t${plain(r.child_id)}\n`,
  payment: (r) => `${r.id}\t${r.enrolment_id}\t${r.person_id}\t${r.paid_on}\t${r.amount}\n`,
  study: (r) => `${r.person_id}\t${r.institution_code}\t${copyText(r.institution_name)}\t${r.level}\t${r.since}\t${plain(r.until)}\n`,
};

/** Serialises rows of one table (typed, so a row can only go to its own table's writer). */
export function copyLines<T extends SeedTable>(table: T, rows: readonly SeedRowTypes[T][]): string {
  const line = COPY_LINE[table];
  let text = '';
  for (let i = 0; i < rows.length; i++) text += line(rows[i]!);
  return text;
}
