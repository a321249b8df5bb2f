/** The MessageParams scalar: a JSON object of plain values (strings, numbers, booleans, lists of them), in and out as is. */
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badUserInput } from '../../platform/errors.ts';

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]));
    case Kind.NULL:
      return null;
    case Kind.ENUM:
    case Kind.VARIABLE:
      throw badUserInput('message params are plain values');
  }
}

function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badUserInput('message params are a JSON object');
  return value as Record<string, unknown>;
}

export const messageParams = new GraphQLScalarType({
  name: 'MessageParams',
  serialize: (value) => object(value),
  parseValue: (value) => object(value),
  parseLiteral: (node) => object(literal(node)),
});
