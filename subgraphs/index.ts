/** Every agency's subgraph definition, by name. */
import type { AgencyName, SubgraphName } from '../platform/topology.ts';
import type { Agency } from './kit/agency.ts';
import { benefits } from './benefits/index.ts';
import { family } from './family/index.ts';
import { identity } from './identity/index.ts';
import { tax } from './tax/index.ts';
import { transparency } from './transparency/index.ts';

// Each agency has its own loader types; the server is generic over them.
// `any`: a heterogeneous registry; each agency's resolvers are checked against its own loader types where defined.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export const AGENCIES: Record<AgencyName, Agency<any>> = { identity, tax, family, benefits };

/** Every subgraph the system runs: the agencies and the transparency subgraph over the audit log. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export const SUBGRAPHS: Record<SubgraphName, Agency<any>> = { ...AGENCIES, transparency };
