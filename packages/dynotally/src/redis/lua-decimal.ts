/**
 * Lua for exact decimal arithmetic inside Redis, where numbers are doubles. Values are kept as plain decimal
 * strings (`'-12.5'`, `'12345678901234567890123.000001'`, never an exponent); `dadd(a, b)` adds two of them
 * digit by digit and returns the canonical form (no leading or trailing zeros, `'0'` for zero).
 *
 * `addField(key, field, delta)` adds a delta to a hash field: `HINCRBY` when the delta is an integer and the
 * stored value is one that fits 64 bits (the common case: counts), the exact decimal add otherwise; a field
 * that reaches zero is deleted (nothing to flush, nothing to keep).
 *
 * @example
 * ```ts
 * const script = `${LUA_DECIMAL}\nreturn dadd(ARGV[1], ARGV[2])`;
 * await redis.eval(script, 0, '0.1', '0.2'); // '0.3'
 * ```
 */
export const LUA_DECIMAL = `
local function dparse(s)
  local neg = false
  local c = string.sub(s, 1, 1)
  if c == '-' then neg = true; s = string.sub(s, 2) elseif c == '+' then s = string.sub(s, 2) end
  local dot = string.find(s, '.', 1, true)
  local ip, fp
  if dot then ip = string.sub(s, 1, dot - 1); fp = string.sub(s, dot + 1) else ip = s; fp = '' end
  ip = (string.gsub(ip, '^0+', ''))
  fp = (string.gsub(fp, '0+$', ''))
  if ip == '' and fp == '' then neg = false end
  return neg, ip, fp
end

local function addmag(a, b)
  local out = {}
  local carry = 0
  for i = #a, 1, -1 do
    local s = string.byte(a, i) + string.byte(b, i) - 96 + carry
    if s >= 10 then s = s - 10; carry = 1 else carry = 0 end
    out[i] = s
  end
  local r = table.concat(out)
  if carry == 1 then r = '1' .. r end
  return r
end

local function submag(a, b)
  local out = {}
  local borrow = 0
  for i = #a, 1, -1 do
    local s = string.byte(a, i) - string.byte(b, i) - borrow
    if s < 0 then s = s + 10; borrow = 1 else borrow = 0 end
    out[i] = s
  end
  return table.concat(out)
end

local function dadd(x, y)
  local xn, xi, xf = dparse(x)
  local yn, yi, yf = dparse(y)
  local n = math.max(#xf, #yf)
  local m = math.max(#xi, #yi)
  local a = string.rep('0', m - #xi) .. xi .. xf .. string.rep('0', n - #xf)
  local b = string.rep('0', m - #yi) .. yi .. yf .. string.rep('0', n - #yf)
  local neg, r
  if xn == yn then
    r = addmag(a, b); neg = xn
  elseif a == b then
    return '0'
  elseif a > b then
    r = submag(a, b); neg = xn
  else
    r = submag(b, a); neg = yn
  end
  local ip = string.sub(r, 1, #r - n)
  local fp = string.sub(r, #r - n + 1)
  ip = (string.gsub(ip, '^0+', ''))
  fp = (string.gsub(fp, '0+$', ''))
  if ip == '' then ip = '0' end
  if ip == '0' and fp == '' then return '0' end
  local s = ip
  if fp ~= '' then s = s .. '.' .. fp end
  if neg then s = '-' .. s end
  return s
end

local function dneg(s)
  if string.sub(s, 1, 1) == '-' then return string.sub(s, 2) end
  if s == '0' then return s end
  return '-' .. s
end

local function addField(key, field, delta)
  if #delta <= 18 and string.match(delta, '^%-?%d+$') then
    local r = redis.pcall('HINCRBY', key, field, delta)
    if type(r) == 'number' then
      if r == 0 then redis.call('HDEL', key, field) end
      return
    end
  end
  local cur = redis.call('HGET', key, field)
  if not cur then cur = '0' end
  local s = dadd(cur, delta)
  if s == '0' then redis.call('HDEL', key, field) else redis.call('HSET', key, field, s) end
end
`;
