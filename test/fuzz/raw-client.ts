// A raw HTTP/1.1 client for the routing fuzz test: writes the request line itself
// over `net.connect`, so the request-target reaches the server byte for byte (no URL
// normalization by a client library), reads until the server closes, and parses the
// status line. Plus a small promise pool to keep a fixed number of requests in flight.
import net from 'node:net';

export interface RawResult {
  /** The status code of the response, or `undefined` when none arrived. */
  readonly status: number | undefined;
  readonly head: string;
  readonly body: string;
  /** Why no complete response arrived (timeout, socket error, unparsable status line). */
  readonly error?: string;
}

/**
 * Sends `METHOD target HTTP/1.1` with `Host: 127.0.0.1`, `Connection: close` and the
 * extra header lines, and resolves once the socket closes (or after `timeoutMs`).
 */
export function rawHttp(port: number, method: string, target: string, headers: Readonly<Record<string, string>> = {}, timeoutMs = 2000): Promise<RawResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      const body = split === -1 ? '' : text.slice(split + 4);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      const status = m?.[1] === undefined ? undefined : Number(m[1]);
      const problem = error ?? (status === undefined ? `no status line (${JSON.stringify(text.slice(0, 80))})` : undefined);
      resolve(problem === undefined ? { status, head, body } : { status, head, body, error: problem });
    };
    const timer = setTimeout(() => finish(`timeout after ${timeoutMs} ms`), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset after a complete answer (a server closing without reading everything) is fine.
    socket.on('error', (e) => finish(chunks.length > 0 ? undefined : `socket error: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    socket.on('close', () => finish());
    socket.on('connect', () => {
      const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'));
    });
  });
}

/** Runs `task` over `items` with at most `concurrency` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
