/**
 * The gateway's calls — a POST of plain JSON to /graphql — go from node:http
 * straight to Apollo Server. Express's router, its request and response
 * objects and body-parser cost about 0.1 ms of CPU per call (measured on a
 * subgraph call costing about 0.5 ms in all), and every client request of the
 * gateway makes several calls.
 *
 * Only that one plain case takes this path: method POST, path exactly
 * /graphql, content type application/json (no charset, or utf-8), a body
 * announced (length or chunked), no content encoding. Anything else is left to the Express app, which answers it as it
 * always did (its JSON errors, body-parser's refusals, 404s, GET and HEAD).
 * What this path does answer, it answers as express.json() and the Express
 * integration did: a body over the limit is a 413, a body that is not a JSON
 * object or array a 400 (both in platform/json-errors.ts's words), an empty
 * body is `{}`, and Apollo's response is written with its status and headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

/** What the context function gets of the request: a header by (lower-case) name, and the parsed body. */
export interface GraphQLCallRequest {
  header(name: string): string | undefined;
  body: unknown;
}

const PLAIN_JSON = /^application\/json\s*(;\s*charset="?utf-?8"?\s*)?$/i;

/** Whether this path takes the request (else the Express app does). */
export function isPlainGraphQLPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  if ((query < 0 ? url : url.slice(0, query)) !== '/graphql') return false;
  // No body announced: body-parser would not read one; left to Express.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return false;
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  return PLAIN_JSON.test(req.headers['content-type'] ?? '');
}

function refuse(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Reads the body up to `limit` bytes; undefined once it has answered 413 itself. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    refuse(res, 413, 'the request body is too large');
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        req.off('data', onData);
        req.resume();
        refuse(res, 413, 'the request body is too large');
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => length <= limit && resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
    req.once('error', reject);
  });
}

const FIRST_NON_JSON_SPACE = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/;

/** body-parser's strict JSON (after its utf-8 decoding drops a BOM): an object or an array, anything else a 400; empty is `{}`. */
function parseJson(decoded: string): { ok: true; value: unknown } | { ok: false } {
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  if (text.length === 0) return { ok: true, value: {} };
  const first = FIRST_NON_JSON_SPACE.exec(text)?.[1];
  if (first !== '{' && first !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export function graphqlRoute<C extends BaseContext>(apollo: ApolloServer<C>, context: (call: GraphQLCallRequest) => Promise<C>, limitBytes: number) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req, res, limitBytes);
    if (raw === undefined) return;
    const parsed = parseJson(raw.toString('utf8'));
    if (!parsed.ok) return refuse(res, 400, 'the request body is not valid JSON');
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: query < 0 ? '' : url.slice(query), body: parsed.value },
      context: () => context({ header: (name) => headers.get(name), body: parsed.value }),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
