import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { CallerContext } from '../platform/context-token.ts';

/** Per-request state: who acts, for what purpose, for whom; signed into every subgraph call. */
export interface GatewayContext {
  caller: CallerContext;
  /** Reject the whole operation when any field is denied, instead of returning the rest. */
  strict: boolean;
  /** What the authorization plan lets the executor run (set once the operation is resolved; see enforcement/planned-gateway.ts). */
  executable?: { document: DocumentNode; operation: OperationDefinitionNode; signature: string };
  /**
   * Judges and records the facts an `_entities` fetch hands a subgraph for the fields that `@require` them
   * (enforcement/required-facts.ts); set with the plan, called for each fetch before it is signed and sent.
   */
  handOver?: (representations: readonly unknown[]) => unknown[];
}
