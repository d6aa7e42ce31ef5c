import type { IncomingMessage } from 'node:http';

/** The largest JSON body a dashboard request may carry (bytes). */
export const MAX_BODY_BYTES = 10_000;
/** Past this many bytes an oversized body is no longer read and discarded: the connection is closed instead. */
export const DRAIN_BYTES = 1_000_000;

/**
 * A request body read by {@link readJsonBody}: its JSON (`undefined` when it is not JSON), or why it was not
 * read. `tooLarge` bodies were discarded, not kept: `drained` says whether the whole body was read off the
 * connection (it can then carry the next request) or whether the answer must close it.
 *
 * @example
 * ```ts
 * const body: JsonBody = { tooLarge: true, drained: true };
 * ```
 */
export type JsonBody = { tooLarge: false; value: unknown } | { tooLarge: true; drained: boolean };

/**
 * Reads a request's JSON body of at most {@link MAX_BODY_BYTES}. A larger body is discarded as it arrives
 * (never kept in memory) up to {@link DRAIN_BYTES}, so a keep-alive connection stays usable after the 413; a
 * body beyond that (or announced beyond it by `Content-Length`) is left unread, and the caller answers with
 * `Connection: close`. The request stream is never destroyed here, so the answer always reaches the client.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(req);
 * if (body.tooLarge) return tooLarge(res, body.drained);
 * ```
 */
export function readJsonBody(req: IncomingMessage): Promise<JsonBody> {
  return new Promise((resolve, reject) => {
    const announced = Number(req.headers['content-length'] ?? 0);
    if (announced > DRAIN_BYTES) {
      resolve({ tooLarge: true, drained: false });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size > DRAIN_BYTES) {
        stop();
        req.pause();
        resolve({ tooLarge: true, drained: false });
      }
    };
    const onEnd = (): void => {
      stop();
      if (size > MAX_BODY_BYTES) {
        resolve({ tooLarge: true, drained: true });
        return;
      }
      try {
        resolve({ tooLarge: false, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ tooLarge: false, value: undefined });
      }
    };
    const onError = (e: Error): void => {
      stop();
      reject(e);
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
  });
}
