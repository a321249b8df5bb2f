/**
 * Random GraphQL requests from the schema, for the generative test: fast-check
 * draws every choice (through `fc.gen()`), so a run is reproduced from its
 * seed and a failure shrinks. Operations are mostly valid — real fields, real
 * arguments, aliases, fragments, @include/@skip, variables with and without
 * defaults — and then deliberately wrong in the ways a client can be wrong:
 * unknown fields and enum values, wrong types, missing or extra variables,
 * odd strings (NUL, control characters, unpaired surrogates, injection
 * attempts, huge ones), unknown or missing operation names, several
 * operations, subscriptions, text that is not GraphQL at all.
 */
import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

export type Draw = fc.GeneratorValue;

export interface GeneratedRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
  policyMode?: string;
}

export interface GeneratorInput {
  /** Personal codes worth trying (the callers, their relatives, strangers). */
  people: readonly string[];
}

const ODD_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\uD800', 'x\uDFFF', '\u0007', '\u001B[2J', '\u0085', '\u202Eevil', '\u2028', '😀👪', 'õäöü ŠŽ',
  "'; DROP TABLE citizen; --", "' OR '1'='1", '../../etc/passwd', '__proto__', 'constructor', '%00', '\\u0000', '{"$gt": ""}',
  'SKA-2026-0042', 'staff-0001', 'x'.repeat(300), '0'.repeat(11), '12345678901', '-1', 'NaN', 'null', 'true',
];
const DATES = ['2026-01-01', '2024-02-29', '2999-12-31', '1900-01-01', '2026-13-45', 'not-a-date', '', '2026-1-1'];

// Choices are drawn without fast-check's bias towards small values (which would make "5 %" happen far more
// often and always pick the first field); the values themselves keep it, since boundaries are worth hitting.
const PERCENT = fc.noBias(fc.integer({ min: 1, max: 100 }));
const pick = <T>(g: Draw, items: readonly T[]): T => items[g(() => fc.noBias(fc.nat({ max: items.length - 1 })))]!;
const chance = (g: Draw, percent: number) => g(() => PERCENT) <= percent;

export class OperationGenerator {
  private variables: { name: string; type: string; value: unknown; defaultLiteral?: string; omit: boolean }[] = [];
  private fragments: string[] = [];
  /** Half the requests are clean (only their values are odd), half make mistakes too. */
  private sloppy = false;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly g: Draw,
    private readonly input: GeneratorInput,
  ) {}

  private oops(percent: number): boolean {
    return this.sloppy && chance(this.g, percent);
  }

  request(): GeneratedRequest {
    const { g } = this;
    this.sloppy = chance(g, 50);
    const policyMode = chance(g, 8) ? pick(g, ['strict', 'lenient', 'STRICT', 'reject', '']) : undefined;
    if (this.oops(4)) return { query: pick(g, ['', '{', 'query', '}{', 'mutation { }', '{ me { ...Missing } }', 'query ($a: Int) { me { id } }']), variables: {}, policyMode };
    const kind = this.oops(6) ? 'subscription' : chance(g, 15) ? 'mutation' : 'query';
    const root = kind === 'query' ? this.schema.getQueryType() : kind === 'mutation' ? this.schema.getMutationType() : this.schema.getQueryType();
    const selection = this.selectionSet(root!, g(fc.integer, { min: 1, max: 4 }), true);
    const named = chance(g, 60);
    const name = named ? pick(g, ['Op', 'Lookup', 'Kadri49431123454', '__schema', '_cgSubject', 'Q']) : undefined;
    const declared = this.variables.map((v) => `$${v.name}: ${v.type}${v.defaultLiteral ? ` = ${v.defaultLiteral}` : ''}`);
    let query = `${kind}${name ? ` ${name}` : ''}${declared.length ? `(${declared.join(', ')})` : ''} ${selection}`;
    if (!name && declared.length === 0 && kind === 'query' && chance(g, 30)) query = selection;
    if (this.fragments.length) query += ` ${this.fragments.join(' ')}`;
    if (this.oops(10)) query += named ? ' query Other { me { id } }' : ' { me { id } }';
    const variables: Record<string, unknown> = {};
    for (const v of this.variables) if (!v.omit) variables[v.name] = v.value;
    if (chance(g, 5)) variables[pick(g, ['extra', '__proto__', 'k\u0000'])] = pick(g, ODD_STRINGS);
    const operationName = this.oops(20) ? pick(g, ['Op', 'Other', 'Nope', 'Kadri49431123454', '']) : named && chance(g, 50) ? name : undefined;
    return { query, variables, operationName, policyMode };
  }

  private selectionSet(type: GraphQLCompositeType, depth: number, root = false): string {
    const { g } = this;
    if (!isObjectType(type) && !isInterfaceType(type)) return '{ __typename }';
    const fields = Object.values(type.getFields());
    const count = g(fc.integer, { min: 1, max: root ? 2 : 4 });
    const parts: string[] = [];
    // Every Citizen says who it is, so the test can judge its fields for that person.
    if (type.name === 'Citizen') parts.push('id');
    for (let i = 0; i < count; i++) {
      if (chance(g, 3) || this.oops(4)) {
        parts.push(pick(g, this.sloppy ? ['__typename', 'notAField', 'givenNam'] : ['__typename']));
        continue;
      }
      const field = pick(g, fields);
      let text = this.field(field, depth);
      if (chance(g, 8)) text = `${pick(g, ['a', 'b', 'x1', 'same', ...(this.sloppy ? ['_cgKeep'] : [])])}${i}: ${text}`;
      if (chance(g, 6)) text = `... on ${type.name} { ${text} }`;
      else if (chance(g, 4)) {
        const fragment = `F${this.fragments.length}`;
        this.fragments.push(`fragment ${fragment} on ${type.name} { ${text} }`);
        text = `...${fragment}`;
      }
      parts.push(text);
    }
    return `{ ${parts.join(' ')} }`;
  }

  private booleanArgument(): string {
    if (chance(this.g, 50)) return pick(this.g, ['true', 'false']);
    return this.variable('Boolean!', this.g(fc.boolean), pick(this.g, [undefined, 'true', 'false']));
  }

  private field(field: GraphQLField<unknown, unknown>, depth: number): string {
    const { g } = this;
    const args: string[] = [];
    for (const arg of field.args) {
      if (!isNonNullType(arg.type) && chance(g, 50)) continue;
      args.push(`${arg.name}: ${this.argument(arg.type)}`);
    }
    if (this.oops(4)) args.push(`${pick(g, ['frist', 'id', 'limit'])}: 1`);
    const named = getNamedType(field.type);
    let text = `${field.name}${args.length ? `(${args.join(', ')})` : ''}`;
    if (chance(g, 8)) text += ` @${pick(g, ['include', 'skip'])}(if: ${this.booleanArgument()})`;
    if (isCompositeType(named)) text += ` ${depth > 0 ? this.selectionSet(named, depth - 1) : named.name === 'Citizen' ? '{ id }' : '{ __typename }'}`;
    else if (this.oops(3)) text += ' { nothing }';
    return text;
  }

  /** An argument as a literal or as a variable (sometimes declared with another type, a default, or left out). */
  private argument(type: GraphQLInputType): string {
    const { g } = this;
    if (chance(g, 35)) {
      const declared = this.oops(10) ? pick(g, ['String', 'Int!', 'ID', 'Boolean', '[ID!]']) : String(type);
      const withDefault = !declared.endsWith('!') && chance(g, 20) ? this.literal(type, 1) : undefined;
      return this.variable(declared, this.json(type, 2), withDefault);
    }
    return this.literal(type, 2);
  }

  private variable(type: string, value: unknown, defaultLiteral?: string): string {
    const name = `v${this.variables.length}`;
    this.variables.push({ name, type, value, defaultLiteral, omit: defaultLiteral ? chance(this.g, 50) : this.oops(10) });
    return `$${name}`;
  }

  private string(): string {
    const { g } = this;
    if (chance(g, 30)) return pick(g, this.input.people);
    if (chance(g, 50)) return pick(g, ODD_STRINGS);
    return g(fc.string, { unit: chance(g, 50) ? 'binary' : 'grapheme', maxLength: 40 });
  }

  private scalar(name: string): unknown {
    const { g } = this;
    switch (name) {
      case 'Int':
        return chance(g, 80) ? g(fc.integer, { min: -3, max: 60 }) : pick(g, [0, 1000, 1001, 2_147_483_647, -2_147_483_648, 1e12]);
      case 'Float':
        return chance(g, 80) ? g(fc.double, { noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }) : pick(g, [0, -0, 1e308]);
      case 'Boolean':
        return g(fc.boolean);
      case 'Date':
        return pick(g, DATES);
      default:
        return this.string();
    }
  }

  /** A variable's JSON value for the type, or something else (wrong type, wild JSON). */
  private json(type: GraphQLInputType, depth: number): unknown {
    const { g } = this;
    if (this.oops(10)) return g(fc.jsonValue, { maxDepth: 2 });
    if (!isNonNullType(type) && chance(g, 8)) return null;
    const nullable = getNullableType(type);
    if (isListType(nullable)) return Array.from({ length: g(fc.integer, { min: 0, max: 3 }) }, () => this.json(nullable.ofType, depth - 1));
    if (isEnumType(nullable)) return this.oops(15) ? pick(g, ['NOPE', 'f', 'FF', '']) : pick(g, nullable.getValues()).name;
    if (isInputObjectType(nullable)) {
      const value: Record<string, unknown> = {};
      for (const field of Object.values(nullable.getFields())) {
        if (!isNonNullType(field.type) && chance(g, 50)) continue;
        if (isNonNullType(field.type) && this.oops(5)) continue;
        value[field.name] = depth > 0 ? this.json(field.type, depth - 1) : null;
      }
      if (this.oops(5)) value.unknownField = 1;
      return value;
    }
    if (isScalarType(nullable)) return this.scalar(nullable.name);
    return null;
  }

  /** A literal for the type, sometimes of another type. */
  private literal(type: GraphQLInputType, depth: number): string {
    const { g } = this;
    if (this.oops(5)) return pick(g, ['"wrong"', '42', 'true', 'NOPE', '[1]', '{ x: 1 }']);
    if (!isNonNullType(type) && chance(g, 8)) return 'null';
    const nullable = getNullableType(type);
    if (isListType(nullable)) return `[${Array.from({ length: g(fc.integer, { min: 0, max: 3 }) }, () => this.literal(nullable.ofType, depth - 1)).join(', ')}]`;
    if (isEnumType(nullable)) return this.oops(15) ? pick(g, ['NOPE', 'FF']) : pick(g, nullable.getValues()).name;
    if (isInputObjectType(nullable)) {
      const parts: string[] = [];
      for (const field of Object.values(nullable.getFields())) {
        if (!isNonNullType(field.type) && chance(g, 50)) continue;
        parts.push(`${field.name}: ${depth > 0 ? this.literal(field.type, depth - 1) : 'null'}`);
      }
      return `{ ${parts.join(', ')} }`;
    }
    if (isScalarType(nullable)) {
      const value = this.scalar(nullable.name);
      // JSON's string escapes (\u0000, \ud800, …) are GraphQL's too.
      return typeof value === 'string' ? JSON.stringify(value) : String(value);
    }
    return 'null';
  }
}
