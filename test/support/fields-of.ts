/** Every field coordinate (Type.field) an operation reads, by graphql-js's TypeInfo over the API schema. */
import { getNamedType, isObjectType, parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';

export function fieldsOf(schema: GraphQLSchema, query: string): Set<string> {
  const info = new TypeInfo(schema);
  const out = new Set<string>();
  visit(parse(query), visitWithTypeInfo(info, {
    Field(node) {
      const parent = info.getParentType();
      if (parent && isObjectType(getNamedType(parent)) && !node.name.value.startsWith('__')) out.add(`${parent.name}.${node.name.value}`);
    },
  }));
  return out;
}
