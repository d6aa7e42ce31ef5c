import { LUA_EPOCH } from './flush-marker.ts';
import { LUA_DECIMAL } from './lua-decimal.ts';
import { LUA_FITS } from './lua-fits.ts';
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
 * Checks a cell list (as LUA_APPLY reads it, with the same sealed-bucket redirect) against DynamoDB's number
 * limits without writing anything: `checkBuckets(args, pending)` returns `{bucket, pk, field}` of the first cell
 * whose sum would not fit (a ranked delta's field is `rank:<rank key>`, its pk the group's), else nil, and then
 * records the new sums in `pending` (so a caller can check record after record against what they add up to).
 *
 * A cell's new sum in its bucket must fit, and so must every sum the flusher will write for it: the stored value
 * plus the cell's value in each open (unflushed) bucket, bucket after bucket in flush order. That longer check runs
 * only for a cell that can be wide (stored-hints.ts: two values that are not wide always fit together): its new
 * sum is wide, an earlier write marked it wide in some bucket (`w:<pk>`), or DynamoDB holds a wide value of it (the
 * flusher's hint `h:<pk>`) — counts and ordinary money sums pay one `EXISTS` (`w:`) and one `HLEN` (`h:`, whose
 * field `*`, the group's hints known, is no hint: a `HEXISTS` more when it is the only field) per group. The stored
 * value comes from `STORED` (`{pk: {field: value}}`, read from DynamoDB by the caller), else from the hint; when
 * neither has it and a sum over the open buckets is wide, the stored value matters although it is narrow (0.5 under
 * 1e37 + 5), so the cell is added to `NEED` (`pk, field`, …) for the caller to read it and call again. Wide new
 * sums are listed in `WIDE` (`pk, field`, …) for the write script to mark.
 */
const LUA_CHECK = `
local HINTED = {}
local function keyIfExists(hk)
  if HINTED[hk] == nil then HINTED[hk] = redis.call('EXISTS', hk) == 1 end
  if HINTED[hk] then return hk end
  return nil
end

-- h:<pk> holds hints, and the field '*' once the group's hints are known (known-groups.ts): the key when it holds a
-- hint beside that field
local HINTS = {}
local function hintsKey(pk)
  local hk = P .. 'h:' .. pk
  if HINTS[hk] == nil then
    local n = redis.call('HLEN', hk)
    HINTS[hk] = n > 1 or (n == 1 and redis.call('HEXISTS', hk, '*') == 0)
  end
  if HINTS[hk] then return hk end
  return nil
end

local STORED = {}
local NEED = {}
local WIDE = {}
local OPEN = nil
local function openBuckets()
  if OPEN == nil then OPEN = redis.call('ZRANGE', P .. 'open', 0, -1) end
  return OPEN
end

local function dwide(s)
  if s == '0' then return false end
  if string.sub(s, 1, 1) == '-' then s = string.sub(s, 2) end
  local dot = string.find(s, '.', 1, true)
  local ip, fp
  if dot then ip = string.sub(s, 1, dot - 1); fp = string.sub(s, dot + 1) else ip = s; fp = '' end
  fp = (string.gsub(fp, '0+$', ''))
  return (ip ~= '0' and #ip > 16) or #fp > 16
end

local function cellNow(staged, pending, key, field)
  local id = key .. '\\0' .. field
  local cur = staged[id]
  if cur == nil then cur = pending[id] end
  if cur == nil then cur = redis.call('HGET', key, field) or '0' end
  return cur
end

-- every sum the flusher writes for the cell: stored, then each open bucket in order (b holding v); 'need' when the
-- stored value is unknown and matters, false when a sum does not fit
local function flushedSumsFit(b, pk, field, v, stored, staged, pending)
  local parts = {}
  local nb = tonumber(b)
  local placed = false
  for _, ob in ipairs(openBuckets()) do
    if ob ~= b then
      if not placed and tonumber(ob) > nb then parts[#parts + 1] = v; placed = true end
      local x = cellNow(staged, pending, kData(ob, pk), field)
      if x ~= '0' then parts[#parts + 1] = x end
    end
  end
  if not placed then parts[#parts + 1] = v end
  local acc = stored or '0'
  for _, x in ipairs(parts) do
    acc = dadd(acc, x)
    if stored then
      if not dfits(acc) then return false end
    elseif dwide(acc) then
      return 'need'
    end
  end
  return true
end

local function checkCells(b, args, i, pending, staged)
  local npk = tonumber(args[i]); i = i + 1
  for _ = 1, npk do
    local pk = args[i]; local nf = tonumber(args[i + 1]); i = i + 2
    local dk = kData(b, pk)
    local hk = hintsKey(pk)
    local wk = keyIfExists(P .. 'w:' .. pk)
    local known = STORED[pk]
    for _ = 1, nf do
      local f = args[i]
      local id, v = cellAfter(staged, pending, dk, f, args[i + 1])
      if not dfits(v) then return i, {b, pk, f} end
      local stored = known and known[f]
      if stored == nil and hk then stored = redis.call('HGET', hk, f) or nil end
      local wide = dwide(v)
      if wide then WIDE[#WIDE + 1] = pk; WIDE[#WIDE + 1] = f end
      if stored or wide or (wk and redis.call('HEXISTS', wk, f) == 1) then
        local ok = flushedSumsFit(b, pk, f, v, stored, staged, pending)
        if ok == false then return i, {b, pk, f} end
        if ok == 'need' then NEED[#NEED + 1] = pk; NEED[#NEED + 1] = f end
      end
      staged[id] = v
      i = i + 2
    end
  end
  local nr = tonumber(args[i]); i = i + 1
  for _ = 1, nr do
    local id, v = cellAfter(staged, pending, kRanked(b, args[i]), args[i + 1], args[i + 2])
    if not dfits(v) then return i, {b, args[i + 1], 'rank:' .. args[i]} end
    staged[id] = v
    i = i + 3
  end
  return i, nil
end

local function checkBuckets(args, pending)
  local staged = {}
  local n = tonumber(args[1])
  local i = 2
  for _ = 1, n do
    local b = sealedBucket(args[i], args[i + 1])
    local bad
    i, bad = checkCells(b, args, i + 2, pending, staged)
    if bad then return bad end
  end
  for id, v in pairs(staged) do pending[id] = v end
  return nil
end
`;

/**
 * `unknownGroups(cells, rollups)`: `{'unknown', pk, count, …}` of the groups of a cell list (as LUA_APPLY reads it)
 * whose rollup is one of `rollups` (comma-separated names: those with a sum) and whose hints are not known —
 * `h:<pk>` has no field `*` (known-groups.ts) — each once, with its `hv:<pk>` field `#` ('' none: the count a group
 * read takes before its `Query`, read here so that it costs no round trip of its own), else `{}`. One `HEXISTS` per
 * such group, and one `HGET` per group not known.
 */
const LUA_KNOWN = `
local function unknownGroups(args, rollups)
  local need = {}
  for name in string.gmatch(rollups, '[^,]+') do need[name] = true end
  local out = {'unknown'}
  local seen = {}
  local n = tonumber(args[1])
  local i = 2
  for _ = 1, n do
    i = i + 2
    local npk = tonumber(args[i]); i = i + 1
    for _ = 1, npk do
      local pk = args[i]; local nf = tonumber(args[i + 1])
      i = i + 2 + 2 * nf
      if not seen[pk] then
        seen[pk] = true
        if need[string.match(pk, '^[^#]*')] and redis.call('HEXISTS', P .. 'h:' .. pk, '*') == 0 then
          out[#out + 1] = pk
          out[#out + 1] = redis.call('HGET', P .. 'hv:' .. pk, '#') or ''
        end
      end
    end
    i = i + 1 + 3 * tonumber(args[i])
  end
  if #out == 1 then return {} end
  return out
end
`;

/**
 * The buffered write of one batch, atomic with its shard watermark.
 * ARGV: prefix, shard tag, expected watermark ('' = none), new watermark, first applied sequence, the sequence
 * numbers of the batch's records left out for 38 digits (comma-separated; '' none), key ttl ms, journal ('1'
 * keeps this batch's cells for a later rejoin), the cells as one JSON array of strings (see LUA_APPLY; one
 * argument, so a 10,000-record batch never meets an argument-count limit), the batch's first sequence number.
 * The records left out are *added* to the shard's `px` (kept for a redelivery, which reports them again), and `px`
 * keeps only sequence numbers at or after the batch's first. `pf` says from where `px` holds every record left out up
 * to the watermark (this batch's first record, or where an earlier delivery's fates start when this one overlaps it),
 * so a redelivery writes the min / max / last of exactly the records not left out: a redelivery that re-reports an earlier delivery's
 * refused records and refuses newer ones keeps both, and records before the batch can never be redelivered to the
 * shard (a delivery that started later had every earlier record counted or sent), so `px` stays within one batch.
 * Returns `{'wm', current}` when the watermark is not the expected one (nothing written), `{'digits', bucket, pk,
 * field}` when a cell's sum would pass DynamoDB's 38 significant digits (nothing written: the caller finds the
 * records that cannot be added with {@link PROBE_SCRIPT}), `{'stored', pk, field, …}` when a wide cell's sums
 * need what DynamoDB holds and no hint says (nothing written: the caller reads those cells and passes them as
 * ARGV[11], `{pk: {field: value}}` JSON or ''), `{'unknown', pk, count, …}` (checked first, after the watermark)
 * when a group of a rollup ARGV[12] names (comma-separated: the rollups with a sum; '' none) has no known hints
 * (nothing written: the caller reads the group's stored rows, records their hints and the group as known — if its
 * hint count, `hv:<pk>` field `#` as this call read it, has not moved — and calls again: known-groups.ts), else `{'ok', bucket…}` (the ids of the buckets written); wide new sums are marked in `w:<pk>`.
 *
 * @example
 * ```ts
 * await WRITE_SCRIPT.run(redis, [], [prefix, tag, expected, lastSeq, firstSeq, refusedSeqs.join(','), ttl, '0', JSON.stringify(args), batchFirstSeq, '', 'money']);
 * ```
 */
export const WRITE_SCRIPT =
  new LuaScript(`${LUA_KEYS}${LUA_DECIMAL}${LUA_FITS}${LUA_APPLY}${LUA_CHECK}${LUA_KNOWN}
local sk = P .. 's:' .. ARGV[2]
local cur = redis.call('HGET', sk, 'wm')
if not cur then cur = '' end
if cur ~= ARGV[3] then return {'wm', cur} end
local ttl = tonumber(ARGV[7])
local cells = cjson.decode(ARGV[9])
if ARGV[12] and ARGV[12] ~= '' then
  local unknown = unknownGroups(cells, ARGV[12])
  if #unknown > 0 then return unknown end
end
if ARGV[11] and ARGV[11] ~= '' then STORED = cjson.decode(ARGV[11]) end
local bad = checkBuckets(cells, {})
if bad then return {'digits', bad[1], bad[2], bad[3]} end
if #NEED > 0 then
  local out = {'stored'}
  for _, x in ipairs(NEED) do out[#out + 1] = x end
  return out
end
local used = applyBuckets(cells, ttl, 1, nil, nil)
for k = 1, #WIDE, 2 do
  local wk = P .. 'w:' .. WIDE[k]
  redis.call('HSET', wk, WIDE[k + 1], '1')
  redis.call('PEXPIRE', wk, ttl)
end
-- pf: from where px says every record's fate (up to the new watermark). A delivery overlapping what was applied
-- (records up to cur) knows the fates of the earlier ones only from the old pf on
local pf = ARGV[10]
if cur ~= '' and cur >= ARGV[10] then
  local oldPf = redis.call('HGET', sk, 'pf')
  if oldPf and oldPf <= cur then
    if oldPf > pf then pf = oldPf end
  else
    pf = ARGV[5]
  end
end
redis.call('HSET', sk, 'wm', ARGV[4], 'pf', pf)
local px = {}
local pxSeen = {}
local function keepLeftOut(list, from)
  for seq in string.gmatch(list, '[^,]+') do
    if seq >= from and not pxSeen[seq] then pxSeen[seq] = true; px[#px + 1] = seq end
  end
end
local oldPx = redis.call('HGET', sk, 'px')
if oldPx then keepLeftOut(oldPx, ARGV[10]) end
keepLeftOut(ARGV[6], ARGV[10])
if #px > 0 then redis.call('HSET', sk, 'px', table.concat(px, ',')) elseif oldPx then redis.call('HDEL', sk, 'px') end
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
 * Finds the records of a batch whose cells cannot be added (read-only): ARGV: prefix, a JSON array with one cell
 * list per record (see LUA_APPLY), in sequence order. Each record is added, in order, to what Redis holds plus the
 * records before it that fit; a record that would take any cell past DynamoDB's 38 significant digits is left out,
 * as the direct applier leaves out the record DynamoDB refuses. ARGV[3]: stored values of wide cells (as
 * WRITE_SCRIPT's ARGV[11]). Returns `{index, pk, field}…` (flat) of those records: the 0-based index and the first
 * cell that refused it; or `{'stored', pk, field, …}` when stored values must be read first (as WRITE_SCRIPT).
 *
 * @example
 * ```ts
 * const out = (await PROBE_SCRIPT.run(redis, [], [prefix, JSON.stringify(perRecordArgs), ''])) as Array<number | string>;
 * ```
 */
export const PROBE_SCRIPT = new LuaScript(`${LUA_KEYS}${LUA_DECIMAL}${LUA_FITS}${LUA_APPLY}${LUA_CHECK}
local records = cjson.decode(ARGV[2])
if ARGV[3] and ARGV[3] ~= '' then STORED = cjson.decode(ARGV[3]) end
local pending = {}
local out = {}
for k, cells in ipairs(records) do
  local bad = checkBuckets(cells, pending)
  if bad then out[#out + 1] = k - 1; out[#out + 1] = bad[2]; out[#out + 1] = bad[3] end
end
if #NEED > 0 then
  out = {'stored'}
  for _, x in ipairs(NEED) do out[#out + 1] = x end
end
return out
`);

/**
 * The value {@link HINTS_SCRIPT} takes for a cell a flush may have made narrow (it was wide before the write): its
 * hint's removal is versioned in every group, a known one too. Never a DynamoDB number.
 *
 * @example
 * ```ts
 * args.push(pk, cellField(sk, attr), isWideNumber(v) ? v : wasWide ? NARROWED_HINT : '', marker);
 * ```
 */
export const NARROWED_HINT = '-';

/**
 * The value {@link HINTS_SCRIPT} takes for a narrow value of a cell no group read learns (a count's:
 * learned-cells.ts): its hint is removed where the key holds one, and its removal is versioned only then — never
 * because the group is not known, nor because the write made it narrow, since no read's value of it is ever recorded
 * for a version to keep out. Never a DynamoDB number.
 *
 * @example
 * ```ts
 * args.push(pk, cellField(sk, attr), isWideNumber(v) ? v : unread.has(attr) ? UNREAD_NARROW : '', marker);
 * ```
 */
export const UNREAD_NARROW = '~';

/**
 * Records what DynamoDB holds after a flush, for wide values (stored-hints.ts). ARGV: prefix, ttl ms, the number
 * `k` of groups to mark known, `k` pairs (partition key, `hv:<pk>` field `#` before the group's read began — the write script's `unknown`
 * answer carries it — '' none),
 * then `(pk, field, value, marker)…`: a value sets the field
 * of `h:<pk>`, an empty one removes it (looked up when the key holds a hint, or lacks `*`: a read of the group may be
 * under way, and the removal's version must keep its older value out), {@link NARROWED_HINT} removes it and is
 * always looked up (the write made a wide value narrow: a read of the group from before it, whose call comes after
 * `h:<pk>` was lost — an eviction, a failover — takes the group for unknown, and only the removal's version keeps
 * its stale wide value out), {@link UNREAD_NARROW} removes it and is looked up only when the key holds a hint (no
 * read learns the cell, a count's: a version would keep nothing out, and a group of a count-only rollup, never made
 * known, would renew one `hv:<pk>` field per cell with every flush), and each is skipped when the
 * field's version in `hv:<pk>` — the flush marker (`_fb`) of the write its hint came from — is above `marker`: a
 * flusher that lost its lease may send its update after another flusher's newer one. Markers are compared byte by
 * byte, as DynamoDB compares them (Lua's `<` follows the server's collation locale). A hint without a version
 * (written before versions) is replaced.
 *
 * The field `*` of `h:<pk>` says the group's hints are known (known-groups.ts): the `k` groups get it after their
 * cells' hints are recorded (the applier read every stored row of them), in this same call. For their cells only a
 * version newer than the read's marker keeps the read's value out (a flush wrote the cell after the read: its hint, or
 * its removal); an older or equal one may be a leftover whose hint is gone (`hv:<pk>` can outlive `h:<pk>`: a removal
 * renews only the versions, an eviction takes one key) and says nothing. A group that already has `*` when its read's
 * call comes (another read of it, at the same time, recorded first) gets nothing of this call's cells: that read's
 * hints and every flush's since already say what the flusher wrote, and this read's value could be older than a
 * flush's removal that left no version (a flusher of an earlier release versions none in a known group). Being a
 * field of the hints' own key, it expires, or is evicted, with them, never after. A group that has it and whose cells this call records
 * (a flush of it) gets `h:<pk>` and `hv:<pk>` set to expire `ttl` from now, so a group that keeps being flushed stays
 * known, and only one quiet for `ttl` is read again. Every hint of a wide value recorded adds one to `hv:<pk>` field
 * `#`, and a group being made known whose `#` is no longer what its read began with is not marked (its cells are
 * recorded as above): a flush may have written a wide value after the read, whose hint `h:<pk>` alone may have lost
 * since, and the read has no value of it; its next batch reads it again. Returns 0.
 *
 * @example
 * ```ts
 * await HINTS_SCRIPT.run(redis, [], [prefix, String(ttl), '0', 'amounts#sbig', 'ALL|total', '100000000000000000000', marker]);
 * await HINTS_SCRIPT.run(redis, [], [prefix, String(ttl), '1', 'money#sg', '', 'money#sg', 'ALL|total', '1e22', readMarker]);
 * ```
 */
export const HINTS_SCRIPT = new LuaScript(`
local P = ARGV[1]
local ttl = ARGV[2]
local nk = tonumber(ARGV[3])
local function below(a, b)
  local n = math.min(#a, #b)
  for j = 1, n do
    local x, y = string.byte(a, j), string.byte(b, j)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local learning = {}
-- groups being made known that another read made known since this one's script call found them unknown: their
-- hints are that read's and every flush's since, kept in step; this read's values may be older than a flush's
-- removal that left no version (a flusher of an earlier release versions none in a known group): they are left out
local settled = {}
-- groups being made known in which a hint was recorded since their read began (hv:<pk> field '#' moved): a flush
-- may have written a wide value after the read, and its hint may be lost with h:<pk> alone; not marked known, so
-- the next batch reads them again
local moved = {}
for j = 4, 3 + 2 * nk, 2 do
  local pk = ARGV[j]
  learning[pk] = true
  if redis.call('HEXISTS', P .. 'h:' .. pk, '*') == 1 then settled[pk] = true end
  if (redis.call('HGET', P .. 'hv:' .. pk, '#') or '') ~= ARGV[j + 1] then moved[pk] = true end
end
-- whether h:<pk> holds a hint (the known field '*' is none)
local has = {}
-- whether h:<pk> lacks '*' (a read of the group may be under way)
local cold = {}
local seen = {}
for i = 4 + 2 * nk, #ARGV, 4 do
  local k = P .. 'h:' .. ARGV[i]
  local vk = P .. 'hv:' .. ARGV[i]
  local f, v, m = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  -- a value the write made narrow (it was wide): its removal is versioned in a known group too
  local cut = v == '${NARROWED_HINT}'
  -- a narrow value of a cell no read learns (a count's): its removal is versioned only where the key holds a hint
  local unread = v == '${UNREAD_NARROW}'
  if cut or unread then v = '' end
  if settled[ARGV[i]] then
    -- another read made the group known first: nothing of this one is recorded
  elseif has[k] == nil then
    local n = redis.call('HLEN', k)
    local star = n > 0 and redis.call('HEXISTS', k, '*') == 1
    has[k] = n > 1 or (n == 1 and not star)
    cold[k] = not star
    seen[#seen + 1] = ARGV[i]
  end
  -- a removal in a group not known, or of a value the write made narrow, is versioned even without a hint, so a
  -- read older than it is kept out (also one recorded after h:<pk> was lost, which finds the group not known); not
  -- of a cell no read learns
  if not settled[ARGV[i]] and (v ~= '' or cut or has[k] or (cold[k] and not unread)) then
    local at = redis.call('HGET', vk, f)
    local go
    if learning[ARGV[i]] then
      -- a group being made known: only a version newer than the read's keeps its value out (a flush wrote the cell
      -- after the read, a wide hint or its removal); one older or equal may be a leftover whose hint expired or was
      -- evicted before hv:<pk>, and says nothing
      go = not at or not below(m, at)
    else
      go = not at or below(at, m)
    end
    if go then
      if v ~= '' then
        redis.call('HSET', k, f, v)
        redis.call('PEXPIRE', k, ttl)
        has[k] = true
        -- a hint recorded: a read of the group under way must not mark it known (see moved)
        redis.call('HINCRBY', vk, '#', 1)
      else
        redis.call('HDEL', k, f)
      end
      redis.call('HSET', vk, f, m)
      redis.call('PEXPIRE', vk, ttl)
    end
  end
end
for j = 4, 3 + 2 * nk, 2 do
  if not moved[ARGV[j]] then
    local k = P .. 'h:' .. ARGV[j]
    redis.call('HSET', k, '*', '1')
    redis.call('PEXPIRE', k, ttl)
    redis.call('PEXPIRE', P .. 'hv:' .. ARGV[j], ttl)
  end
end
for _, pk in ipairs(seen) do
  local k = P .. 'h:' .. pk
  if redis.call('HEXISTS', k, '*') == 1 then
    redis.call('PEXPIRE', k, ttl)
    redis.call('PEXPIRE', P .. 'hv:' .. pk, ttl)
  end
end
return 0
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
  -- records up to w were written directly, and their fates are the direct applier's: px no longer says them all
  redis.call('HDEL', sk, 'pf')
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
 * and kept for readers), with the seal in force and the buffer's epoch (created if Redis has none: see flush-marker.ts). ARGV: prefix,
 * key ttl ms, pk…. Returns `{seal or '', epoch, {{bucket, {pkIndex, field, value, …}}…}}`.
 *
 * @example
 * ```ts
 * const out = await READ_SCRIPT.run(redis, [], [prefix, String(ttl), 'store#ss-1', 'store#ss-2']);
 * ```
 */
export const READ_SCRIPT = new LuaScript(`${LUA_KEYS}${LUA_EPOCH}
local buckets = liveBuckets()
local out = {}
for _, b in ipairs(buckets) do
  local cells = {}
  for i = 3, #ARGV do
    local h = redis.call('HGETALL', kData(b, ARGV[i]))
    for j = 1, #h, 2 do
      cells[#cells + 1] = tostring(i - 2)
      cells[#cells + 1] = h[j]
      cells[#cells + 1] = h[j + 1]
    end
  end
  if #cells > 0 then out[#out + 1] = {b, cells} end
end
return {redis.call('GET', P .. 'seal') or '', epoch(tonumber(ARGV[2])), out}
`);

/**
 * An atomic snapshot of every live cell (all buckets, all partition keys), with the seal in force and the epoch
 * (see READ_SCRIPT): for tests, diagnostics and the CLI. ARGV: prefix, key ttl ms. Returns
 * `{seal or '', epoch, {{bucket, {pk, field, value, …}}…}}`.
 *
 * @example
 * ```ts
 * const out = await READ_ALL_SCRIPT.run(redis, [], [prefix, String(ttl)]);
 * ```
 */
export const READ_ALL_SCRIPT = new LuaScript(`${LUA_KEYS}${LUA_EPOCH}
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
return {redis.call('GET', P .. 'seal') or '', epoch(tonumber(ARGV[2])), out}
`);

/**
 * An atomic snapshot of the live ranked deltas of one leaderboard row (`<rollup>|<sk>`) over every bucket, with
 * the seal in force and the epoch (see READ_SCRIPT). ARGV: prefix, key ttl ms, rank key. Returns
 * `{seal or '', epoch, {{bucket, {pk, value, …}}…}}`.
 *
 * @example
 * ```ts
 * const out = await READ_RANKED_SCRIPT.run(redis, [], [prefix, String(ttl), rankKey('favourites', 'ALL')]);
 * ```
 */
export const READ_RANKED_SCRIPT = new LuaScript(`${LUA_KEYS}${LUA_EPOCH}
local buckets = liveBuckets()
local out = {}
for _, b in ipairs(buckets) do
  local h = redis.call('HGETALL', kRanked(b, ARGV[3]))
  if #h > 0 then out[#out + 1] = {b, h} end
end
return {redis.call('GET', P .. 'seal') or '', epoch(tonumber(ARGV[2])), out}
`);
