/**
 * Whom a letter or e-mail goes to: name, registered address, e-mail and
 * language from the population register, read through the gateway like any
 * client (client and purpose message-delivery, which grant exactly these
 * fields; the case reference names the message), so each lookup is judged,
 * audited and shows in the person's data tracker.
 */
import type { GatewayClient } from '../../../offers/gateway-client.ts';

export const DELIVERY_CLIENT = 'message-delivery';
export const DELIVERY_PURPOSE = 'message-delivery';

const RECIPIENT = `query DeliveryRecipient($id: ID!) {
  citizen(id: $id) { id givenName familyName preferredLanguage residence { street postalCode municipality } contact { email } }
}`;

export interface Recipient {
  id: string;
  name: string;
  language: string | null;
  address: { street: string | null; postalCode: string | null; municipality: string | null } | null;
  email: string | null;
}

interface Answer {
  citizen: {
    id: string;
    givenName: string | null;
    familyName: string | null;
    preferredLanguage: string | null;
    residence: { street: string | null; postalCode: string | null; municipality: string | null } | null;
    contact: { email: string | null } | null;
  } | null;
}

export async function lookUpRecipient(gateway: GatewayClient, personId: string, caseRef: string): Promise<Recipient | null> {
  const { citizen: c } = await gateway.request<Answer>(RECIPIENT, { id: personId }, caseRef);
  if (!c) return null;
  const address = c.residence && (c.residence.street || c.residence.municipality) ? c.residence : null;
  return { id: c.id, name: [c.givenName, c.familyName].filter(Boolean).join(' '), language: c.preferredLanguage, address, email: c.contact?.email || null };
}
