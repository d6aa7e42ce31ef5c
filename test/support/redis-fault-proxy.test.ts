import { describe, expect, it } from 'vitest';
import { RespCounter } from './redis-fault-proxy.ts';

const cmd = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

describe('RespCounter', () => {
  it('counts pipelined commands, across chunk boundaries, with CRLF inside bulk strings', () => {
    const stream = Buffer.from(cmd('SET', 'k', 'a\r\nb') + cmd('EVALSHA', 'abc', '0') + cmd('PING'));
    const counter = new RespCounter();
    let total = 0;
    const seen: number[] = [];
    for (let i = 0; i < stream.length; i += 7) {
      total += counter.feed(stream.subarray(i, i + 7));
      seen.push(total);
    }
    expect(total).toBe(3);
    expect(seen[0]).toBe(0);
    expect(new RespCounter().feed(stream)).toBe(3);
  });
});
