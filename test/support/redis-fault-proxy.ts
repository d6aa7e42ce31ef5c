// A fault-injecting TCP proxy between ioredis and redis-server (node:net): commands are counted by parsing
// the client's RESP arrays, and a fault hits the chunk of pipelined commands that holds a faulted command —
// `drop` forwards it and loses the replies (the connection is reset after `holdMs`), `delay` holds it back
// (later chunks queue behind it), `reset` closes the connection before it is forwarded. `throttle` does not
// exist for Redis and is treated as `reset`.
import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';
import { type Fault, FaultSchedule, type FaultStep } from './fault-schedule.ts';

/** A running Redis proxy. */
export interface RedisFaultProxy {
  /** `redis://127.0.0.1:<port>`: give it to the clients under test. */
  readonly url: string;
  setSchedule(steps: readonly FaultStep[]): void;
  heal(): void;
  /** Commands counted so far. */
  readonly commands: number;
  readonly injected: Readonly<Record<Fault['kind'], number>>;
  readonly exhausted: boolean;
  close(): Promise<void>;
}

/** Counts complete RESP arrays (`*N` followed by N bulk strings) in a byte stream fed chunk by chunk. */
export class RespCounter {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; returns how many commands it completed. */
  feed(chunk: Buffer): number {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let done = 0;
    for (;;) {
      const end = this.commandEnd(0);
      if (end === undefined) break;
      this.buf = this.buf.subarray(end);
      done++;
    }
    return done;
  }

  /** The offset after one complete command starting at `at`, or undefined when it is not complete yet. */
  private commandEnd(at: number): number | undefined {
    const line = this.line(at);
    if (line === undefined) return undefined;
    if (line.text[0] !== '*') return line.next; // inline command: one line
    let pos = line.next;
    for (let i = Number(line.text.slice(1)); i > 0; i--) {
      const bulk = this.line(pos);
      if (bulk === undefined) return undefined;
      const len = Number(bulk.text.slice(1));
      pos = bulk.next + Math.max(0, len) + 2;
      if (pos > this.buf.length) return undefined;
    }
    return pos;
  }

  private line(at: number): { text: string; next: number } | undefined {
    const cr = this.buf.indexOf('\r\n', at);
    if (cr < 0) return undefined;
    return { text: this.buf.toString('latin1', at, cr), next: cr + 2 };
  }
}

/**
 * Starts the proxy on a free loopback port in front of `target` (`redis://127.0.0.1:<port>`).
 *
 * @example
 * ```ts
 * const proxy = await startRedisFaultProxy(server.url);
 * proxy.setSchedule([{ after: 5, fault: { kind: 'reset' }, requests: 1 }]);
 * const redis = new Redis(proxy.url);
 * ```
 */
export async function startRedisFaultProxy(target: string): Promise<RedisFaultProxy> {
  const { hostname, port } = new URL(target);
  let schedule = new FaultSchedule([]);
  let n = 0;
  const injected: Record<Fault['kind'], number> = { drop: 0, delay: 0, reset: 0, throttle: 0 };
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port) });
    sockets.add(client);
    sockets.add(upstream);
    const counter = new RespCounter();
    let repliesLost = false;
    let queue: Promise<void> = Promise.resolve();
    const kill = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('error', kill);
    upstream.on('error', kill);
    upstream.on('data', (d: Buffer) => {
      if (!repliesLost) client.write(d);
    });
    client.on('data', (chunk: Buffer) => {
      const first = n + 1;
      n += counter.feed(chunk);
      let fault: Fault | undefined;
      for (let i = first; i <= n && fault === undefined; i++) fault = schedule.faultFor(i);
      if (fault) injected[fault.kind]++;
      queue = queue.then(async () => {
        if (client.destroyed) return;
        switch (fault?.kind) {
          case undefined:
            upstream.write(chunk);
            return;
          case 'delay':
            await new Promise((r) => setTimeout(r, fault.ms));
            if (!client.destroyed) upstream.write(chunk);
            return;
          case 'drop':
            repliesLost = true;
            upstream.write(chunk);
            setTimeout(kill, fault.holdMs);
            return;
          default:
            kill();
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const local = (server.address() as AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${local}`,
    setSchedule(steps) {
      schedule = new FaultSchedule(steps);
      n = 0;
    },
    heal() {
      schedule = new FaultSchedule([]);
    },
    get commands() {
      return n;
    },
    injected,
    get exhausted() {
      return n >= schedule.end;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
