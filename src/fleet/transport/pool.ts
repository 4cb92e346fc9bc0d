import { ConnectionError } from '../errors.js';
import type { Connect, ConnectOptions, Server, Transport } from '../types.js';

/**
 * One connection per server for the length of an operation (a rollback, a rollout and its
 * verification): an SSH handshake costs more than the commands after it. The transports it hands
 * out ignore `close()`; `closeAll()` closes them at the end.
 */
export function createTransportPool(connect: Connect): { connect: Connect; closeAll(): Promise<void> } {
  const open = new Map<Server, Promise<Transport>>();
  return {
    connect(server: Server, options?: ConnectOptions): Promise<Transport> {
      let transport = open.get(server);
      if (!transport) {
        transport = connect(server, options);
        open.set(server, transport);
        // A failed connection is not kept: the next caller tries again.
        transport.catch(() => open.delete(server));
      }
      const opened = transport;
      // A connection that died is dropped, so the next caller connects again instead of failing on it.
      const dropIfDead = (error: unknown) => {
        if (error instanceof ConnectionError && open.get(server) === opened) {
          open.delete(server);
          void opened.then((dead) => dead.close()).catch(() => undefined);
        }
        throw error;
      };
      return opened.then((shared) => ({
        name: shared.name,
        exec: (argv, options) => shared.exec(argv, options).catch(dropIfDead),
        putFile: (local, remote) => shared.putFile(local, remote).catch(dropIfDead),
        readLink: (path, options) => shared.readLink(path, options).catch(dropIfDead),
        close: async () => {},
      }));
    },
    async closeAll(): Promise<void> {
      const transports = await Promise.allSettled(open.values());
      open.clear();
      await Promise.all(transports.map((result) => (result.status === 'fulfilled' ? result.value.close().catch(() => undefined) : undefined)));
    },
  };
}
