import { LUA_EPOCH } from './flush-marker.ts';
import { LUA_DECIMAL } from './lua-decimal.ts';
import { ALLOW_OOM, LuaScript } from './lua-script.ts';
import { LUA_KEYS } from './scripts.ts';

// The flusher's own Redis writes: its lock, the seal, and marking a bucket done. Each runs as a Lua script
// declared `allow-oom` (Redis 7 script flags): under `maxmemory-policy noeviction` Redis refuses every write once
// used memory is over `maxmemory`, and a plain `SET lock … NX` would then stop the one job that frees memory. These
// scripts only add a few bytes (a lock, a seal) or remove data (a flushed bucket), so letting them run on a full
// Redis is what lets a full buffer drain by itself. The shebang must be the script's first line.

/**
 * Takes the flusher lock (`SET lock token PX ms NX`) also when Redis is out of memory.
 * ARGV: prefix, token, lease ms. Returns 1 when taken, 0 when another flusher holds it.
 *
 * @example
 * ```ts
 * const taken = (await LOCK_SCRIPT.run(redis, [], [prefix, token, '60000'])) === 1;
 * ```
 */
export const LOCK_SCRIPT = new LuaScript(`${ALLOW_OOM}
if redis.call('SET', ARGV[1] .. 'lock', ARGV[2], 'PX', ARGV[3], 'NX') then return 1 end
return 0
`);

/**
 * Moves the seal forward (never back): buckets closing at or before it take no more writes.
 * ARGV: prefix, seal (epoch ms), key ttl ms, `'1'` to take the open buckets too. Returns the seal in force.
 *
 * With `'1'` (`flushClosed({ all: true })`) the seal never goes past the given instant (the flusher's
 * `now − graceMs`): the cells of every open bucket closing after it are moved, in this one atomic step, into a
 * bucket named by the new seal (or the seal in force + 1 ms, when that is not below it: every id at or below the
 * seal in force may already be flushed), which is then closed. So no flush ever writes a row marker (`_fb`) from
 * the future: a writer that comes back on a Redis that lost the seal writes a bucket closing after its own clock,
 * which is above every marker. Writes after this step go to the open buckets again, which flush when they close.
 * The new bucket is also recorded in `mv` (the seal moves of the last `ttl` ms, as `<bucket>@<epoch>`): the
 * flusher writes the newest move at or before a bucket into its rows' markers, so that a reader whose snapshot
 * still holds a moved bucket under its old, higher name knows the row holds it (flush-marker.ts,
 * docs/redis-buffer.md "Reads"). Every run also makes sure the epoch (`ep`) exists and keeps it `ttl`.
 *
 * @example
 * ```ts
 * const inForce = Number(await SEAL_SCRIPT.run(redis, [], [prefix, String(Date.now() - 10_000), String(ttl), '0']));
 * ```
 */
export const SEAL_SCRIPT = new LuaScript(`${ALLOW_OOM}${LUA_KEYS}${LUA_DECIMAL}${LUA_EPOCH}
local ttl = tonumber(ARGV[3])
local function moveHash(src, dst)
  if redis.call('EXISTS', src) == 0 then return false end
  if redis.call('EXISTS', dst) == 0 then
    redis.call('RENAME', src, dst)
  else
    local h = redis.call('HGETALL', src)
    for j = 1, #h, 2 do addField(dst, h[j], h[j + 1]) end
    redis.call('DEL', src)
  end
  redis.call('PEXPIRE', dst, ttl)
  return true
end
local function moveBucket(b, t)
  local gt = kGroups(t)
  for _, pk in ipairs(redis.call('SMEMBERS', kGroups(b))) do
    if moveHash(kData(b, pk), kData(t, pk)) then redis.call('SADD', gt, pk) end
  end
  local rt = kRankedIndex(t)
  for _, rk in ipairs(redis.call('SMEMBERS', kRankedIndex(b))) do
    if moveHash(kRanked(b, rk), kRanked(t, rk)) then redis.call('SADD', rt, rk) end
  end
  redis.call('DEL', kGroups(b), kRankedIndex(b))
  redis.call('ZREM', P .. 'open', b)
  if redis.call('EXISTS', gt) == 1 then redis.call('PEXPIRE', gt, ttl) end
  if redis.call('EXISTS', rt) == 1 then redis.call('PEXPIRE', rt, ttl) end
end
local ep = epoch(ttl)
redis.call('PEXPIRE', P .. 'ep', ttl)
local raw = redis.call('GET', P .. 'seal')
local cur = 0
if raw then cur = tonumber(raw) end
local seal = tonumber(ARGV[2])
if cur >= seal then seal = cur end
if ARGV[4] == '1' then
  local later = redis.call('ZRANGEBYSCORE', P .. 'open', '(' .. string.format('%.0f', seal), '+inf')
  if #later > 0 then
    if raw and seal <= cur then seal = cur + 1 end
    local t = string.format('%.0f', seal)
    for _, b in ipairs(later) do if b ~= t then moveBucket(b, t) end end
    redis.call('ZADD', P .. 'open', seal, t)
    redis.call('PEXPIRE', P .. 'open', ttl)
    redis.call('ZADD', P .. 'mv', seal, t .. '@' .. ep)
    redis.call('ZREMRANGEBYSCORE', P .. 'mv', '-inf', '(' .. string.format('%.0f', seal - ttl))
    redis.call('PEXPIRE', P .. 'mv', ttl)
  end
end
local out = string.format('%.0f', seal)
if raw and seal <= cur then
  redis.call('PEXPIRE', P .. 'seal', ttl)
  return raw
end
redis.call('SET', P .. 'seal', out, 'PX', ttl)
return out
`);

/**
 * Marks a flushed bucket done: out of `open`, into `done`, and its keys expire after `keep` ms (readers may
 * still see them meanwhile and skip them by the rows' flush markers). When Redis has a `maxmemory` and uses 90 %
 * of it or more, the bucket's keys are deleted at once instead: memory for the writers beats the readers' margin
 * (see docs/redis-buffer.md, "Memory"). ARGV: prefix, bucket, now, keep ms, ttl ms, cutoff (done entries flushed
 * before it are forgotten). Returns the number of partition keys the bucket held.
 *
 * @example
 * ```ts
 * await DONE_SCRIPT.run(redis, [], [prefix, String(bucket), String(now), String(keep), String(ttl), String(now - keep)]);
 * ```
 */
export const DONE_SCRIPT = new LuaScript(`${ALLOW_OOM}${LUA_KEYS}
local b = ARGV[2]
local keep = tonumber(ARGV[4])
if keep > 0 then
  local info = redis.call('INFO', 'memory')
  local used = tonumber(string.match(info, 'used_memory:(%d+)') or '0')
  local max = tonumber(string.match(info, 'maxmemory:(%d+)') or '0')
  if max > 0 and used * 10 >= max * 9 then keep = 0 end
end
redis.call('ZREM', P .. 'open', b)
local pks = redis.call('SMEMBERS', kGroups(b))
local rks = redis.call('SMEMBERS', kRankedIndex(b))
if keep <= 0 then
  for _, pk in ipairs(pks) do redis.call('DEL', kData(b, pk)) end
  for _, rk in ipairs(rks) do redis.call('DEL', kRanked(b, rk)) end
  redis.call('DEL', kGroups(b), kRankedIndex(b))
  redis.call('ZREM', P .. 'done', b)
else
  redis.call('ZADD', P .. 'done', ARGV[3], b)
  for _, pk in ipairs(pks) do redis.call('PEXPIRE', kData(b, pk), keep) end
  for _, rk in ipairs(rks) do redis.call('PEXPIRE', kRanked(b, rk), keep) end
  redis.call('PEXPIRE', kGroups(b), keep)
  redis.call('PEXPIRE', kRankedIndex(b), keep)
end
redis.call('ZREMRANGEBYSCORE', P .. 'done', '-inf', '(' .. ARGV[6])
if redis.call('EXISTS', P .. 'done') == 1 then redis.call('PEXPIRE', P .. 'done', ARGV[5]) end
return #pks
`);

/**
 * Deletes the flusher lock if this flusher still holds it. ARGV: prefix, token.
 *
 * @example
 * ```ts
 * await UNLOCK_SCRIPT.run(redis, [], [prefix, token]);
 * ```
 */
export const UNLOCK_SCRIPT = new LuaScript(`${ALLOW_OOM}
if redis.call('GET', ARGV[1] .. 'lock') == ARGV[2] then return redis.call('DEL', ARGV[1] .. 'lock') end
return 0
`);

/**
 * Extends the flusher lock if this flusher still holds it. ARGV: prefix, token, ms. Returns 1 if held.
 *
 * @example
 * ```ts
 * const held = (await EXTEND_LOCK_SCRIPT.run(redis, [], [prefix, token, '60000'])) === 1;
 * ```
 */
export const EXTEND_LOCK_SCRIPT = new LuaScript(`${ALLOW_OOM}
if redis.call('GET', ARGV[1] .. 'lock') == ARGV[2] then redis.call('PEXPIRE', ARGV[1] .. 'lock', ARGV[3]) return 1 end
return 0
`);
