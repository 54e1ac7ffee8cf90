// Test helper: a loopback TCP proxy in front of a server (PostgreSQL by default), to
// fail the network under a client on purpose. `cut()` destroys every connection and
// refuses new ones (connection refused at once: what a dead host behind a load
// balancer looks like); `stall()` keeps every connection open but forwards nothing
// (a black hole: only a client's own timer notices); `restore()` forwards again
// (stalled bytes included, so late answers do arrive).
import net from 'node:net';

export interface TcpProxy {
  /** The loopback port to connect to instead of the target's. */
  readonly port: number;
  /** Connections open now. */
  readonly connections: number;
  cut(): void;
  stall(): void;
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
}

export async function startTcpProxy(target: { readonly host: string; readonly port: number } = { host: '127.0.0.1', port: 5432 }): Promise<TcpProxy> {
  let mode: 'open' | 'cut' | 'stalled' = 'open';
  const pairs = new Set<Pair>();
  const join = (pair: Pair): void => {
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };
  const part = (pair: Pair): void => {
    pair.client.unpipe(pair.upstream);
    pair.upstream.unpipe(pair.client);
    pair.client.pause();
    pair.upstream.pause();
  };
  const server = net.createServer((client) => {
    if (mode === 'cut') return void client.destroy();
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (mode === 'stalled') part(pair);
    else join(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const destroyAll = (): void => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      pair.client.destroy();
      pair.upstream.destroy();
    }
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return pairs.size;
    },
    cut() {
      mode = 'cut';
      destroyAll();
    },
    stall() {
      mode = 'stalled';
      for (const pair of pairs) part(pair);
    },
    restore() {
      if (mode === 'stalled') for (const pair of pairs) join(pair);
      mode = 'open';
    },
    close() {
      destroyAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
