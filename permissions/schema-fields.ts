/**
 * The fields a policy has to cover, read from the composed supergraph.
 *
 * Only the API schema counts (what clients can query): the supergraph's
 * join__/link__ machinery, federation's _Service/_Entity and @inaccessible
 * elements are not part of it, and introspection types (__*) are left out
 * here. Everything is derived from the SDL, so a field an agency adds shows up
 * without anyone editing a list.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// The federation library's own schema model, not graphql-js objects: it is a
// CommonJS package with its own copy of graphql's classes, and mixing those
// with an ESM `import 'graphql'` (as vitest does) trips graphql's
// "another module or realm" check.
import { Supergraph } from '@apollo/federation-internals';

export const SUPERGRAPH_PATH = fileURLToPath(new URL('../schema/supergraph.graphql', import.meta.url));

export interface SchemaFields {
  /**
   * `Type.field` of every field that must be classified: every field of every
   * object and interface type except the mutation root's, in schema order.
   * Interfaces are included because a query can select a field on the
   * interface itself, and that is the coordinate the gateway then judges.
   */
  readable: string[];
  /** Field names by type name, for the same types as `readable`. */
  byType: Map<string, string[]>;
  /** Name of the mutation root type, when the schema has one. */
  mutationType: string | undefined;
  /** Name of the query root type, and the argument names of each of its fields (`Query.citizen` -> [id]). */
  queryType?: string;
  rootArguments?: Map<string, string[]>;
  /** Field names of the mutation root: granted by name in a purpose's `mutations`. */
  mutations: string[];
}

export function readSupergraphSdl(path: string = SUPERGRAPH_PATH): string {
  return readFileSync(path, 'utf8');
}

/** Throws when the SDL is not a valid supergraph (callers turn that into a problem). */
export function listSchemaFields(supergraphSdl: string): SchemaFields {
  const schema = Supergraph.build(supergraphSdl).apiSchema();
  const mutationRoot = schema.schemaDefinition.rootType('mutation');
  const queryRoot = schema.schemaDefinition.rootType('query');
  const rootArguments = new Map<string, string[]>();
  for (const field of queryRoot?.fields() ?? []) rootArguments.set(`${queryRoot!.name}.${field.name}`, field.arguments().map((a) => a.name));
  // Mutations may declare whom they write about (roots: { names }); undeclared, they are still granted by name.
  for (const field of mutationRoot?.fields() ?? []) rootArguments.set(`${mutationRoot!.name}.${field.name}`, field.arguments().map((a) => a.name));
  const byType = new Map<string, string[]>();
  const readable: string[] = [];
  for (const type of schema.types()) {
    if (!(type.kind === 'ObjectType' || type.kind === 'InterfaceType') || type.name.startsWith('__') || type === mutationRoot) continue;
    const names = type.fields().map((field) => field.name);
    byType.set(type.name, names);
    for (const name of names) readable.push(`${type.name}.${name}`);
  }
  return {
    readable,
    byType,
    mutationType: mutationRoot?.name,
    queryType: queryRoot?.name,
    rootArguments,
    mutations: mutationRoot ? mutationRoot.fields().map((field) => field.name) : [],
  };
}
