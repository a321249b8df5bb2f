/**
 * The last word on size: what actually came back, counted before it leaves.
 * The estimate (cost.ts) refuses what could be too large before any
 * subgraph is asked; this catches what an estimate cannot know (a household
 * larger than assumed), so that no single response carries more than the
 * configured records (objects) or bytes of JSON. Over either, the data is
 * withheld (never a truncated answer that looks complete) and the client is
 * told to ask for less.
 */
import { GraphQLError } from 'graphql';

export const RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE';

export interface ResponseSize {
  records: number;
  bytes: number;
}

/**
 * Records and JSON bytes of a result, in one walk that stops as soon as a
 * limit is passed. Bytes are counted as JSON.stringify would write them,
 * UTF-8, without escapes (a lower bound within a few percent).
 */
export function measureResponse(data: unknown, limits: { maxRecords: number; maxBytes: number }): ResponseSize & { over: boolean } {
  let records = 0;
  let bytes = 0;
  const over = () => records > limits.maxRecords || bytes > limits.maxBytes;
  const walk = (value: unknown): boolean => {
    if (value === null || value === undefined) {
      bytes += 4;
      return false;
    }
    switch (typeof value) {
      case 'string':
        bytes += Buffer.byteLength(value) + 2;
        return bytes > limits.maxBytes;
      case 'number':
      case 'boolean':
        bytes += String(value).length;
        return false;
      case 'object':
        break;
      default:
        return false;
    }
    if (Array.isArray(value)) {
      bytes += 2 + Math.max(0, value.length - 1);
      for (const item of value) if (walk(item)) return true;
      return over();
    }
    records += 1;
    const entries = Object.entries(value as Record<string, unknown>);
    bytes += 2 + Math.max(0, entries.length - 1);
    for (const [key, item] of entries) {
      bytes += key.length + 3;
      if (walk(item)) return true;
    }
    return over();
  };
  walk(data);
  return { records, bytes, over: over() };
}

export function responseTooLarge(): GraphQLError {
  return new GraphQLError('the answer would be too large to send (response size limit): ask for smaller pages or fewer fields with lists', {
    extensions: { code: RESPONSE_TOO_LARGE },
  });
}
