/**
 * Lua (after {@link LUA_DECIMAL}) that tells whether a cell's sum can be stored as a DynamoDB number, so the
 * buffer refuses a batch **before** its first write rather than holding a sum the flusher can never write (a
 * script that fails half-way keeps what it wrote).
 *
 * - `dfits(s)`: the canonical decimal `s` (as `dadd` returns it) has at most 38 significant digits (leading
 *   and trailing zeros do not count) and a magnitude of 1e-130 … below 1e126, or is zero — DynamoDB's limits.
 * - `cellAfter(staged, pending, key, field, d)`: the value the hash field would hold after adding `d`, reading
 *   `staged`, then `pending`, then Redis (both tables map `key .. '\0' .. field` to a value), and its table key.
 *
 * @example
 * ```ts
 * const fits = new LuaScript(`${LUA_DECIMAL}${LUA_FITS}\nreturn dfits(dadd(ARGV[1], ARGV[2])) and 1 or 0`);
 * await fits.run(redis, [], ['100000000000000000000', '0.0000000000000000001']); // 0: 40 digits
 * ```
 */
export const LUA_FITS = `
local function dfits(s)
  if s == '0' then return true end
  if string.sub(s, 1, 1) == '-' then s = string.sub(s, 2) end
  local dot = string.find(s, '.', 1, true)
  local ip, fp
  if dot then ip = string.sub(s, 1, dot - 1); fp = string.sub(s, dot + 1) else ip = s; fp = '' end
  if ip == '0' then ip = '' end
  local digits
  if ip ~= '' then
    if #ip > 126 then return false end
    digits = (string.gsub(ip .. fp, '0+$', ''))
  else
    local lead = string.match(fp, '^0*')
    if #lead >= 130 then return false end
    digits = string.sub(fp, #lead + 1)
  end
  return #digits <= 38
end

local function cellAfter(staged, pending, key, field, d)
  local id = key .. '\\0' .. field
  local cur = staged[id]
  if cur == nil then cur = pending[id] end
  if cur == nil then cur = redis.call('HGET', key, field) or '0' end
  if #cur <= 15 and #d <= 15 and string.match(cur, '^%-?%d+$') and string.match(d, '^%-?%d+$') then
    return id, string.format('%d', tonumber(cur) + tonumber(d))
  end
  return id, dadd(cur, d)
end
`;
