/**
 * Which subgraph (agency) owns each field coordinate of the graph, read from
 * the supergraph's `@join__type` / `@join__field` directives, so that an audit
 * record can tell a citizen whose register the data came from without a hand
 * list that would go stale.
 */
import { Kind, parse, type ConstDirectiveNode, type EnumValueNode } from 'graphql';

const graphArgument = (directive: ConstDirectiveNode): string | undefined => {
  const argument = directive.arguments?.find((a) => a.name.value === 'graph');
  return argument?.value.kind === Kind.ENUM ? (argument.value as EnumValueNode).value : undefined;
};

/** `Type.field` -> subgraph name. */
export type FieldOwners = ReadonlyMap<string, string>;

export function fieldOwners(supergraphSdl: string): FieldOwners {
  const document = parse(supergraphSdl);
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = value.directives?.find((d) => d.name.value === 'join__graph')?.arguments?.find((a) => a.name.value === 'name')?.value;
      if (name?.kind === Kind.STRING) graphNames.set(value.name.value, name.value);
    }
  }
  const owners = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const typeGraphs = (definition.directives ?? []).filter((d) => d.name.value === 'join__type').map(graphArgument).filter((g): g is string => !!g);
    for (const field of definition.fields ?? []) {
      // A subgraph declaring the field @external only receives it (for its @requires): it is not the field's register.
      const resolving = (field.directives ?? []).filter((d) => d.name.value === 'join__field' && !d.arguments?.some((a) => a.name.value === 'external' && a.value.kind === Kind.BOOLEAN && a.value.value));
      const fieldGraphs = resolving.map(graphArgument).filter((g): g is string => !!g);
      const graphs = (fieldGraphs.length ? fieldGraphs : typeGraphs).map((g) => graphNames.get(g) ?? g.toLowerCase());
      if (graphs.length === 0) continue;
      // A field every subgraph shares is an entity key (Citizen.id): the personal code is issued by the
      // population register, so a shared key is attributed to identity when it is one of them.
      owners.set(`${definition.name.value}.${field.name.value}`, graphs.length > 1 && graphs.includes('identity') ? 'identity' : graphs.sort()[0]!);
    }
  }
  return owners;
}
