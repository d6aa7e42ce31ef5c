// A fault-injecting HTTP proxy between the AWS SDK clients and DynamoDB Local: requests that pass are real
// (DynamoDB Local answers them; no DynamoDB semantics are mocked), and the faults are what a network and a
// throttled service do: replies lost after the write was applied, delays, reset connections, HTTP 400
// throttling answers. Built on node:http (the SDK speaks HTTP/1.1 with keep-alive), no dependency.
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { type Fault, FaultSchedule, type FaultStep, type ThrottleError } from './fault-schedule.ts';

/** One request the proxy saw. */
export interface ProxiedRequest {
  /** 1-based number among counted requests (0 when the request was not counted). */
  n: number;
  /** The operation (`UpdateItem`, `GetRecords` …) from `X-Amz-Target`. */
  operation: string;
  fault?: Fault['kind'];
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** DynamoDB Local's endpoint, `http://127.0.0.1:<port>`. */
  target: string;
  /** Which operations count towards (and can receive) the schedule's faults; default every operation. */
  counts?: (operation: string) => boolean;
  /** Called with every request's operation and body before it is forwarded (or faulted). */
  onRequest?: (operation: string, body: Buffer) => void;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the clients under test instead of DynamoDB Local's endpoint. */
  readonly endpoint: string;
  /** Replaces the schedule; counting and the log restart. */
  setSchedule(steps: readonly FaultStep[]): void;
  /** No more faults (counting goes on). */
  heal(): void;
  /** Counted requests so far. */
  readonly requests: number;
  /** Faults injected so far, by kind. */
  readonly injected: Readonly<Record<Fault['kind'], number>>;
  /** Every request seen since the schedule was set, in arrival order. */
  readonly log: readonly ProxiedRequest[];
  /** True once the schedule has nothing left to inject. */
  readonly exhausted: boolean;
  close(): Promise<void>;
}

const JSON_10 = 'application/x-amz-json-1.0';

/** The HTTP 400 answer DynamoDB gives a throttled request (JSON 1.0 error shape, with its CRC32 header). */
export function throttleResponse(error: ThrottleError): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const body = JSON.stringify({
    __type: `com.amazonaws.dynamodb.v20120810#${error}`,
    message:
      error === 'ThrottlingException'
        ? 'Rate of requests exceeds the allowed throughput.'
        : 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  });
  return {
    status: 400,
    headers: {
      'content-type': JSON_10,
      'x-amzn-requestid': `fault-proxy-${Math.random().toString(36).slice(2)}`,
      'x-amz-crc32': String(crc32(body)),
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  };
}

/**
 * Starts the proxy on a free loopback port.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: await ddbReady() });
 * proxy.setSchedule([{ after: 3, fault: { kind: 'drop', holdMs: 50 }, requests: 2 }]);
 * const client = new DynamoDBClient(localClientConfig(proxy.endpoint));
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counts = options.counts ?? (() => true);
  let schedule = new FaultSchedule([]);
  let n = 0;
  const log: ProxiedRequest[] = [];
  const injected: Record<Fault['kind'], number> = { drop: 0, delay: 0, reset: 0, throttle: 0 };

  const forward = (req: IncomingMessage, body: Buffer, onResponse: (res: IncomingMessage) => void): void => {
    const up = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      onResponse,
    );
    up.on('error', () => req.socket.destroy());
    up.end(body);
  };

  const relay = (res: ServerResponse) => (upstream: IncomingMessage) => {
    res.writeHead(upstream.statusCode ?? 502, upstream.headers);
    upstream.pipe(res);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    options.onRequest?.(operation, body);
    const counted = counts(operation);
    const number = counted ? ++n : 0;
    const fault = counted ? schedule.faultFor(number) : undefined;
    log.push({ n: number, operation, ...(fault ? { fault: fault.kind } : {}) });
    if (fault) injected[fault.kind]++;
    switch (fault?.kind) {
      case undefined:
        forward(req, body, relay(res));
        return;
      case 'delay':
        setTimeout(() => forward(req, body, relay(res)), fault.ms);
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'throttle': {
        const t = throttleResponse(fault.error);
        res.writeHead(t.status, t.headers);
        res.end(t.body);
        return;
      }
      case 'drop':
        forward(req, body, (upstream) => {
          upstream.resume();
          upstream.once('end', () => setTimeout(() => req.socket.destroy(), fault.holdMs));
        });
        return;
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setSchedule(steps) {
      schedule = new FaultSchedule(steps);
      n = 0;
      log.length = 0;
    },
    heal() {
      schedule = new FaultSchedule([]);
    },
    get requests() {
      return n;
    },
    injected,
    log,
    get exhausted() {
      return n >= schedule.end;
    },
    close() {
      agent.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
