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
 * Records and JSON size of a result, in one walk that stops as soon as a
 * limit is passed. Size is counted as JSON.stringify writes it, in UTF-16
 * code units (a byte each for ASCII; a multi-byte character counts once):
 * exact enough for a limit, and four times faster than encoding each string.
 */
export function measureResponse(data: unknown, limits: { maxRecords: number; maxBytes: number }): ResponseSize & { over: boolean } {
  let records = 0;
  let bytes = 0;
  const over = () => records > limits.maxRecords || bytes > limits.maxBytes;
  // Returns true once over a limit, to stop the walk.
  const walk = (value: unknown): boolean => {
    if (value === null || value === undefined) {
      bytes += 4;
      return false;
    }
    const type = typeof value;
    if (type === 'string') {
      bytes += (value as string).length + 2;
      return false;
    }
    if (type !== 'object') {
      bytes += String(value as number | boolean).length;
      return false;
    }
    if (Array.isArray(value)) {
      bytes += 1 + Math.max(1, value.length);
      for (let i = 0; i < value.length; i++) if (walk(value[i])) return true;
      return over();
    }
    records += 1;
    bytes += 1;
    const object = value as Record<string, unknown>;
    let keys = 0;
    for (const key in object) {
      keys += 1;
      bytes += key.length + 4;
      if (walk(object[key])) return true;
    }
    if (keys === 0) bytes += 1;
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
