import { LUA_DECIMAL } from './lua-decimal.ts';
import { ALLOW_OOM, LuaScript } from './lua-script.ts';

// Every script takes the key prefix as ARGV[1] and derives its keys from it (see keys.ts): with the
// default `{buffer}` hash tag they all live in one Redis Cluster slot.

/**
 * Lua helpers every buffer script shares: the key names under the prefix (ARGV[1]) and the list of live buckets.
 *
 * @example
 * ```ts
 * const script = new LuaScript(`${LUA_KEYS}\nreturn liveBuckets()`);
 * ```
 */
export const LUA_KEYS = `
local P = ARGV[1]
local function kGroups(b) return P .. 'g:' .. b end
local function kData(b, pk) return P .. 'd:' .. b .. ':' .. pk end
local function kRankedIndex(b) return P .. 'rk:' .. b end
local function kRanked(b, rk) return P .. 'r:' .. b .. ':' .. rk end
local function maxseq(a, b) if a == false or a == nil or a == '' then return b end if b > a then return b end return a end
local function liveBuckets()
  local buckets = redis.call('ZRANGE', P .. 'open', 0, -1)
  for _, b in ipairs(redis.call('ZRANGE', P .. 'done', 0, -1)) do buckets[#buckets + 1] = b end
  return buckets
end
`;

/**
 * Adds the cells of a write (`sign` −1 subtracts them). A cell list (see encode-cells.ts) is: the number of
 * buckets, then per bucket its id, its width and its cells — npk, then per partition key: pk, nfields,
 * (field, delta)…; then nranked, then (rankKey, pk, delta)…. A bucket at or before the seal is closed: its cells go
 * to the first bucket of the same width after the seal. Every key touched gets `ttl`.
 */
const LUA_APPLY = `
local function registerBucket(b, ttl)
  redis.call('ZADD', P .. 'open', b, b)
  redis.call('PEXPIRE', P .. 'open', ttl)
end

local function applyCells(b, args, i, ttl, sign)
  local npk = tonumber(args[i]); i = i + 1
  local gk = kGroups(b)
  for _ = 1, npk do
    local pk = args[i]; local nf = tonumber(args[i + 1]); i = i + 2
    local dk = kData(b, pk)
    for _ = 1, nf do
      local d = args[i + 1]
      if sign < 0 then d = dneg(d) end
      addField(dk, args[i], d)
      i = i + 2
    end
    redis.call('SADD', gk, pk)
    redis.call('PEXPIRE', dk, ttl)
  end
  if npk > 0 then redis.call('PEXPIRE', gk, ttl) end
  local nr = tonumber(args[i]); i = i + 1
  if nr > 0 then
    local rik = kRankedIndex(b)
    for _ = 1, nr do
      local rk = kRanked(b, args[i])
      local d = args[i + 2]
      if sign < 0 then d = dneg(d) end
      addField(rk, args[i + 1], d)
      redis.call('SADD', rik, args[i])
      redis.call('PEXPIRE', rk, ttl)
      i = i + 3
    end
    redis.call('PEXPIRE', rik, ttl)
  end
  if npk > 0 or nr > 0 then registerBucket(b, ttl) end
  return i
end

local function sealedBucket(b, w)
  local seal = redis.call('GET', P .. 'seal')
  if seal and tonumber(b) <= tonumber(seal) then
    local width = tonumber(w)
    return string.format('%.0f', math.floor(tonumber(seal) / width) * width + width)
  end
  return b
end

local function applyBuckets(args, ttl, sign, target, targetWidth)
  local n = tonumber(args[1])
  local i = 2
  local used = {}
  for _ = 1, n do
    local b = args[i]
    local w = args[i + 1]
    i = i + 2
    if target then b = target; w = targetWidth end
    b = sealedBucket(b, w)
    i = applyCells(b, args, i, ttl, sign)
    used[#used + 1] = b
  end
  return used
end
`;

/**
 * The buffered write of one batch, atomic with its shard watermark.
 * ARGV: prefix, shard tag, expected watermark ('' = none), new watermark, first applied sequence, (unused),
 * key ttl ms, journal ('1' keeps this batch's cells for a later rejoin), the cells as one JSON array of strings
 * (see LUA_APPLY; one argument, so a 10,000-record batch never meets an argument-count limit).
 * Returns `{'wm', current}` when the watermark is not the expected one (nothing written), else `{'ok', bucket…}`
 * (the ids of the buckets written).
 *
 * @example
 * ```ts
 * await WRITE_SCRIPT.run(redis, [], [prefix, tag, expected, lastSeq, firstSeq, '', ttl, '0', JSON.stringify(args)]);
 * ```
 */
export const WRITE_SCRIPT = new LuaScript(`${LUA_KEYS}${LUA_DECIMAL}${LUA_APPLY}
local sk = P .. 's:' .. ARGV[2]
local cur = redis.call('HGET', sk, 'wm')
if not cur then cur = '' end
if cur ~= ARGV[3] then return {'wm', cur} end
local ttl = tonumber(ARGV[7])
local used = applyBuckets(cjson.decode(ARGV[9]), ttl, 1, nil, nil)
redis.call('HSET', sk, 'wm', ARGV[4])
if ARGV[8] == '1' then
  redis.call('SET', P .. 'j:' .. ARGV[2], ARGV[9], 'PX', ttl)
  redis.call('HSET', sk, 'jp', cur, 'jf', ARGV[5], 'jl', ARGV[4])
end
redis.call('PEXPIRE', sk, ttl)
local out = {'ok'}
for _, b in ipairs(used) do out[#out + 1] = b end
return out
`);

/**
 * Rejoins a shard to the buffer after a spell of direct writes (records `from`…`to` went to DynamoDB).
 * ARGV: prefix, shard tag, from, to, current bucket id, key ttl ms, current bucket width.
 * - already rejoined for this `from`: the watermark only moves up to `to` (`again`);
 * - Redis holds nothing at or after `from`: the watermark becomes `to` (`clean`);
 * - Redis holds exactly the journaled last batch at or after `from` (it ran although its caller saw a failure):
 *   that batch is subtracted again, into the current bucket, and the watermark becomes `to` (`reverted`);
 * - anything else is a double count that cannot be undone here (`conflict`, reported loudly by the caller).
 * Returns `{status, watermark, journalPrev, journalFirst, journalLast}`. Declared `allow-oom`: the flusher rejoins
 * fences before it flushes, and a full Redis must still drain.
 *
 * @example
 * ```ts
 * await REJOIN_SCRIPT.run(redis, [], [prefix, fence.tag, fence.from, fence.to, String(bucket), String(ttl), String(width)]);
 * ```
 */
export const REJOIN_SCRIPT = new LuaScript(`${ALLOW_OOM}${LUA_KEYS}${LUA_DECIMAL}${LUA_APPLY}
local sk = P .. 's:' .. ARGV[2]
local from = ARGV[3]
local to = ARGV[4]
local ttl = tonumber(ARGV[6])
local st = redis.call('HMGET', sk, 'wm', 'rj', 'jp', 'jf', 'jl')
local wm = st[1] or ''
local jp = st[3] or ''
local jf = st[4] or ''
local jl = st[5] or ''
local function finish(status, w)
  redis.call('HSET', sk, 'wm', w, 'rj', from)
  redis.call('PEXPIRE', sk, ttl)
  return {status, w, jp, jf, jl}
end
if st[2] == from then return finish('again', maxseq(wm, to)) end
if wm == '' or wm < from then return finish('clean', maxseq(wm, to)) end
if jf ~= '' and jl == wm and jp < from and jf >= from then
  local jk = P .. 'j:' .. ARGV[2]
  local cells = redis.call('GET', jk)
  if cells then applyBuckets(cjson.decode(cells), ttl, -1, ARGV[5], ARGV[7]) end
  redis.call('DEL', jk)
  redis.call('HDEL', sk, 'jp', 'jf', 'jl')
  return finish('reverted', to)
end
return finish('conflict', maxseq(wm, to))
`);

/**
 * An atomic snapshot of the live cells of some partition keys, over every bucket still in Redis (open, or done
 * and kept for readers). ARGV: prefix, pk…. Returns `{bucket, {pkIndex, field, value, …}}…`.
 *
 * @example
 * ```ts
 * const out = await READ_SCRIPT.run(redis, [], [prefix, 'store#ss-1', 'store#ss-2']);
 * ```
 */
export const READ_SCRIPT = new LuaScript(`${LUA_KEYS}
local buckets = liveBuckets()
local out = {}
for _, b in ipairs(buckets) do
  local cells = {}
  for i = 2, #ARGV do
    local h = redis.call('HGETALL', kData(b, ARGV[i]))
    for j = 1, #h, 2 do
      cells[#cells + 1] = tostring(i - 1)
      cells[#cells + 1] = h[j]
      cells[#cells + 1] = h[j + 1]
    end
  end
  if #cells > 0 then out[#out + 1] = {b, cells} end
end
return out
`);

/**
 * An atomic snapshot of every live cell (all buckets, all partition keys): for tests, diagnostics and the CLI.
 * ARGV: prefix. Returns `{bucket, {pk, field, value, …}}…`.
 *
 * @example
 * ```ts
 * const out = await READ_ALL_SCRIPT.run(redis, [], [prefix]);
 * ```
 */
export const READ_ALL_SCRIPT = new LuaScript(`${LUA_KEYS}
local buckets = liveBuckets()
local out = {}
for _, b in ipairs(buckets) do
  local cells = {}
  for _, pk in ipairs(redis.call('SMEMBERS', kGroups(b))) do
    local h = redis.call('HGETALL', kData(b, pk))
    for j = 1, #h, 2 do
      cells[#cells + 1] = pk
      cells[#cells + 1] = h[j]
      cells[#cells + 1] = h[j + 1]
    end
  end
  if #cells > 0 then out[#out + 1] = {b, cells} end
end
return out
`);

/**
 * An atomic snapshot of the live ranked deltas of one leaderboard row (`<rollup>|<sk>`) over every bucket.
 * ARGV: prefix, rank key. Returns `{bucket, {pk, value, …}}…`.
 *
 * @example
 * ```ts
 * const out = await READ_RANKED_SCRIPT.run(redis, [], [prefix, rankKey('favourites', 'ALL')]);
 * ```
 */
export const READ_RANKED_SCRIPT = new LuaScript(`${LUA_KEYS}
local buckets = liveBuckets()
local out = {}
for _, b in ipairs(buckets) do
  local h = redis.call('HGETALL', kRanked(b, ARGV[2]))
  if #h > 0 then out[#out + 1] = {b, h} end
end
return out
`);
