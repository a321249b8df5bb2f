import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalRecord, recordHash, type AuditContent, type FieldRef } from '../../gateway/audit/chain.ts';

const shared: FieldRef[] = Object.freeze([
  Object.freeze({ field: 'Citizen.annualIncome', agency: 'tax' }),
  Object.freeze({ field: 'Citizen.dateOfBirth', agency: 'identity' }),
]) as FieldRef[];

function content(overrides: Partial<AuditContent> = {}): AuditContent {
  return {
    recordedAt: '2026-11-21T07:00:00.123Z',
    requestId: 'req-"quoted"\\back',
    client: 'caseworker-app',
    actor: 'staff-0001',
    purpose: 'child-benefit-eligibility',
    legalBasis: 'law: Family Allowances Act § 2 — ünïcödé 👶 \u2028 line',
    caseRef: null,
    operationName: 'Caseload',
    operationHash: 'f'.repeat(64),
    outcome: 'served',
    denials: [{ code: 'UNAUTHORIZED_FIELD_OR_TYPE', field: 'Citizen.contact' }, { code: 'PURPOSE_NOT_ALLOWED' }],
    subjects: [
      { id: '49431123454', fields: shared },
      { id: '38444098763', fields: shared },
      { id: '46055034560', fields: [{ field: 'Citizen.children', agency: 'family' }] },
      { id: '10000000000', fields: [] },
    ],
    otherFields: [{ field: 'Programme.name', agency: 'benefits' }],
    ...overrides,
  };
}

const body = (c: AuditContent, seq = 42, prevHash = 'a'.repeat(64)) => ({ ...c, seq, prevHash });

describe('the canonical form of a record', () => {
  it('is exactly RFC 8785 (canonicalize) for varied records, with field lists shared between subjects or not', () => {
    const variants = [
      content(),
      content({ subjects: [], otherFields: [], denials: [] }),
      content({ caseRef: 'C-1', legalBasis: null, operationName: null, outcome: 'denied' }),
      content({ subjects: content().subjects.map((s) => ({ ...s, fields: s.fields.map((f) => ({ ...f })) })) }),
      // A subject of another shape than { id, fields } is canonicalised whole, never losing a key.
      content({ subjects: [{ id: 'x', fields: shared, extra: 'kept' } as AuditContent['subjects'][number]] }),
    ];
    for (const variant of variants) {
      for (const seq of [1, 42, 9_007_199_254_740_991]) expect(canonicalRecord(body(variant, seq))).toBe(canonicalize(body(variant, seq)));
    }
  });

  it('gives the same hash whether subjects share one field list or hold equal copies, and another for any change', () => {
    const sharedHash = recordHash(content(), 7, 'b'.repeat(64));
    const copies = content({ subjects: content().subjects.map((s) => ({ ...s, fields: s.fields.map((f) => ({ ...f })) })) });
    expect(recordHash(copies, 7, 'b'.repeat(64))).toBe(sharedHash);
    expect(recordHash(content({ subjects: content().subjects.slice(1) }), 7, 'b'.repeat(64))).not.toBe(sharedHash);
    expect(recordHash(content(), 8, 'b'.repeat(64))).not.toBe(sharedHash);
  });
});
