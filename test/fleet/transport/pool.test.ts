import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../../src/fleet/errors.js';
import { createLocalTransport } from '../../../src/fleet/transport/local.js';
import { createTransportPool } from '../../../src/fleet/transport/pool.js';
import type { Server, Transport } from '../../../src/fleet/types.js';
import { describeTransport } from './describe-transport.js';

const server = (name: string): Server => ({ name, address: '127.0.0.1', via: 'local', path: `/tmp/${name}` });

/** A real local transport, counting how often it was opened and closed. */
function counting() {
  const counts = { opened: 0, closed: 0, failures: 0 };
  const connect = async (target: Server): Promise<Transport> => {
    if (target.name === 'down' && counts.failures++ === 0) throw new Error('connection refused');
    counts.opened++;
    const transport = createLocalTransport();
    return { ...transport, close: async () => void counts.closed++ };
  };
  return { counts, connect };
}

describe('the transport pool', () => {
  it('opens one connection per server however often it is asked, and closes each once at the end', async () => {
    const { counts, connect } = counting();
    const pool = createTransportPool(connect);
    const [web1, web2] = [server('web-1'), server('web-2')];
    const transports = await Promise.all([pool.connect(web1), pool.connect(web1), pool.connect(web2)]);
    for (const transport of transports) await transport.close();
    const again = await pool.connect(web1);
    expect((await again.exec(['echo', 'still open'])).stdout.trim()).toBe('still open');
    expect(counts).toMatchObject({ opened: 2, closed: 0 });
    await pool.closeAll();
    expect(counts).toMatchObject({ opened: 2, closed: 2 });
  });

  it('does not keep a failed connection: the next ask tries again', async () => {
    const { counts, connect } = counting();
    const pool = createTransportPool(connect);
    const down = server('down');
    await expect(pool.connect(down)).rejects.toThrow('connection refused');
    await expect(pool.connect(down)).resolves.toBeDefined();
    expect(counts.opened).toBe(1);
    await pool.closeAll();
    expect(counts.closed).toBe(1);
  });
});

describe('a pooled connection that died', () => {
  it('is dropped on a ConnectionError, so the next caller connects again', async () => {
    let opened = 0;
    let closed = 0;
    const pool = createTransportPool(async () => {
      const generation = ++opened;
      const local = createLocalTransport();
      return {
        ...local,
        exec: async (argv, options) => {
          if (generation === 1) throw new ConnectionError('[fleet] [ssh] deploy@web-1:22: the connection is closed');
          return local.exec(argv, options);
        },
        close: async () => void closed++,
      };
    });
    const first = await pool.connect(server('web-1'));
    await expect(first.exec(['true'])).rejects.toBeInstanceOf(ConnectionError);
    const second = await pool.connect(server('web-1'));
    expect((await second.exec(['echo', 'again'])).stdout.trim()).toBe('again');
    expect(opened).toBe(2);
    await pool.closeAll();
    expect(closed).toBe(2);
  });
});

// The pool hands out transports that share one connection: they keep the whole contract.
describeTransport('pooled local', async () => {
  const pool = createTransportPool(async () => createLocalTransport());
  return { transport: await pool.connect(server('pooled')), close: () => pool.closeAll() };
});
