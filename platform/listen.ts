/**
 * Binds a service's HTTP server. A port that is taken or not ours to bind
 * becomes a StartupError naming the port and the variable that moves it,
 * instead of an 'error' event with a stack trace.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartupError } from './startup-error.ts';

export function listen(server: Server, port: number, host: string, portVariable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new StartupError(`port ${port} on ${host} is already in use: stop what uses it, or set ${portVariable} to a free port`));
      else if (error.code === 'EACCES') reject(new StartupError(`this user may not listen on port ${port} on ${host}: set ${portVariable} to a port above 1023`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new StartupError(`cannot listen on ${host}: it is not an address of this machine (HOST)`));
      else reject(new StartupError(`cannot listen on ${host}:${port} (${error.code ?? error.message})`));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.removeListener('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
