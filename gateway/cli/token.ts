/**
 * `npm run token -- --sub <id> --client <client> [--acr substantial]` prints a
 * development token from the running gateway's dev identity provider.
 */
import { parseArgs } from 'node:util';

const usage = 'usage: npm run token -- --sub <persona id or personal code> --client <client id> [--acr low|substantial|high] [--gateway http://localhost:4000]';

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: { sub: { type: 'string' }, client: { type: 'string' }, acr: { type: 'string' }, gateway: { type: 'string', default: process.env.GATEWAY_URL ?? 'http://localhost:4000' } },
    }));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${usage}`, { cause: error });
  }
  if (!values.sub || !values.client) throw new Error(usage);
  const response = await fetch(new URL('/dev/token', values.gateway), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: values.sub, client: values.client, acr: values.acr }),
  }).catch(() => {
    throw new Error(`no gateway at ${values.gateway}: start it with \`npm start\``);
  });
  const body = (await response.json()) as { token?: string; errors?: { message: string }[] };
  if (!body.token) throw new Error(body.errors?.[0]?.message ?? `the gateway answered ${response.status}`);
  console.log(body.token);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
