/**
 * A consent as a Kantara Initiative Consent Receipt (specification v1.1,
 * https://kantarainitiative.org/download/7902/): the record a person keeps of
 * what they agreed to, in a structure other tools read. Pure: built from the
 * stored consent and the policy, never from anything the request says.
 *
 * Times are seconds since the epoch, as the specification states. The
 * controller is the partner (it decides why it reads); the platform that
 * records and enforces the consent is named in `policyUrl`'s host.
 */
import type { Policy } from '../../permissions/model.ts';
import type { ConsentRow } from './loaders.ts';

export const RECEIPT_VERSION = 'KI-CR-v1.1.0';

export interface ConsentReceipt {
  version: string;
  jurisdiction: string;
  consentTimestamp: number;
  collectionMethod: string;
  consentReceiptID: string;
  language: string;
  piiPrincipalId: string;
  piiControllers: { piiController: string; onBehalf: boolean; contact: string; address: string; email: string; phone: string; piiControllerUrl?: string }[];
  policyUrl: string;
  services: {
    service: string;
    purposes: {
      purpose: string;
      purposeCategory: string[];
      consentType: string;
      piiCategory: string[];
      primaryPurpose: boolean;
      termination: string;
      thirdPartyDisclosure: boolean;
    }[];
  }[];
  sensitive: boolean;
  spiCat: string[];
  /** Not in v1.1: what this platform adds, under a name the specification leaves free. */
  'x-citizen-graph': { grantedBy: string; validUntil: string; revokedAt: string | null; fields: string[]; legalBasis: string };
}

export function consentReceipt(policy: Policy, row: ConsentRow, language = 'et'): ConsentReceipt {
  const client = Object.hasOwn(policy.clients, row.client) ? policy.clients[row.client] : undefined;
  const categories = new Set<string>();
  for (const field of row.fields) {
    const [type, name] = field.split('.') as [string, string];
    const category = policy.classification[type]?.[name];
    if (category && category !== 'public') categories.add(category);
  }
  return {
    version: RECEIPT_VERSION,
    jurisdiction: 'EE',
    consentTimestamp: Math.floor(row.granted_at.getTime() / 1000),
    collectionMethod: 'Citizen portal consent page, signed in through the state identity provider',
    consentReceiptID: row.id,
    language,
    piiPrincipalId: row.subject_id,
    piiControllers: [
      {
        piiController: client?.name ?? row.client,
        onBehalf: false,
        // The partner's contact details are not in the policy yet: the receipt says so rather than inventing them.
        contact: client?.description ?? row.client,
        address: 'not recorded',
        email: 'not recorded',
        phone: 'not recorded',
        ...(client?.returnUrls?.[0] ? { piiControllerUrl: new URL(client.returnUrls[0]).origin } : {}),
      },
    ],
    policyUrl: 'https://github.com/citizen-graph/citizen-graph/tree/main/permissions/policy',
    services: [
      {
        service: client?.name ?? row.client,
        purposes: [
          {
            purpose: row.purpose_description,
            purposeCategory: [row.purpose],
            consentType: 'EXPLICIT',
            piiCategory: [...categories].sort(),
            primaryPurpose: true,
            termination: `On ${row.valid_until} at the end of the day, when withdrawn in the citizen portal, or${row.granted_by !== row.subject_id ? ' when the person turns 18 (given by a guardian), or' : ''} when the partner asks for more data than agreed`,
            thirdPartyDisclosure: false,
          },
        ],
      },
    ],
    sensitive: false,
    spiCat: [],
    'x-citizen-graph': {
      grantedBy: row.granted_by,
      validUntil: row.valid_until,
      revokedAt: row.revoked_at?.toISOString() ?? null,
      fields: [...row.fields],
      legalBasis: row.legal_basis,
    },
  };
}
