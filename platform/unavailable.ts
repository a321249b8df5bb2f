/**
 * Whether an error means "this agency's database is not reachable right now"
 * (restarting, refusing connections, connection dropped) rather than a bug:
 * the client then gets SUBGRAPH_UNAVAILABLE for that agency's fields, and the
 * pool reconnects by itself once the database is back.
 */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300|3D000)/; // connection exceptions, shutdown/startup, too many connections, db missing
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|not currently accepting connections|the database system is (starting up|shutting down)/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code))) return true;
  if (UNAVAILABLE_MESSAGES.test(error.message)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isDatabaseUnavailable(cause);
}
