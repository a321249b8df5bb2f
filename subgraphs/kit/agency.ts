/** What an agency folder provides to the shared subgraph server. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { SubgraphName } from '../../platform/topology.ts';
import type { CallerContext } from '../../platform/context-token.ts';
import type { Database } from '../../platform/database.ts';
import type { Policy } from '../../permissions/model.ts';
import type { MessageSigner } from '../../platform/message-signing.ts';
import type { LifeEventKeys } from '../../platform/life-event-attestation.ts';

export interface SubgraphContext<Loaders> {
  caller: CallerContext;
  policy: Policy;
  db: Database;
  loaders: Loaders;
  /** The agency's key for what it sends people (inbox messages), when it sends any. */
  messageSigner?: MessageSigner;
  /** The population register signs the life events it records; the family register verifies them (platform/life-event-attestation.ts). */
  lifeEvents: LifeEventKeys;
}

export interface Agency<Loaders> {
  name: SubgraphName;
  /** Fresh per request: DataLoader caches must not outlive one request's permissions. */
  createLoaders(db: Database): Loaders;
  resolvers: GraphQLResolverMap<SubgraphContext<Loaders>>;
}

/** Identity for type inference: lets an agency's resolvers see its own loaders' types. */
export function defineAgency<Loaders>(agency: Agency<Loaders>): Agency<Loaders> {
  return agency;
}
