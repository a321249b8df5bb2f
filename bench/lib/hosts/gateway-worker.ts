/**
 * One node:cluster worker of the gateway host (hosts/gateway.ts, "2 gateway
 * processes"): it starts our gateway on the port the workers share, and the
 * primary hands it its connections in turn. The worker says `ready` once it
 * listens for messages (one sent before would be lost); then from the primary:
 * `{ start: { options, issuer } }`, answered `{ url }` or `{ error }`; `close`.
 */
import type { RunningGateway } from '../../../gateway/server.ts';
import { startOurGateway, type OurGatewayOptions } from './our-gateway.ts';

export type WorkerRequest = { start: { options: OurGatewayOptions; issuer: string } } | 'close';
export type WorkerAnswer = 'ready' | { url: string } | { error: string };

let gateway: RunningGateway | undefined;

process.on('message', (message: WorkerRequest) => {
  if (message === 'close') {
    void (gateway?.close() ?? Promise.resolve()).finally(() => process.exit(0));
    return;
  }
  startOurGateway(message.start.options, message.start.issuer).then(
    (started) => {
      gateway = started;
      process.send!({ url: started.url } satisfies WorkerAnswer);
    },
    (error: Error) => process.send!({ error: error.message } satisfies WorkerAnswer),
  );
});
process.send!('ready' satisfies WorkerAnswer);
// The primary is gone (the benchmark was killed): do not linger.
process.on('disconnect', () => process.exit(1));
