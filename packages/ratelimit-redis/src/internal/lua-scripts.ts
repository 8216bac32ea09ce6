/**
 * The store's operations, one Lua script each, so that every read-decide-write runs atomically
 * inside Redis on Redis's own clock (`TIME`). The arithmetic repeats `bucket-math.ts` of
 * `@bulwark/ratelimit` line for line.
 *
 * Every script gets
 *   KEYS[1]     the scope's throttle key, KEYS[2..] one key per bucket (a hash `l` level, `t` ms)
 *   ARGV[1]     milliseconds added to `TIME` (0 outside tests)
 *   ARGV[2]     the channel to publish a refund on
 *   ARGV[3]     a per-operation argument (`raise` for sync, `durationMs` for throttle)
 *   ARGV[4..]   three numbers per bucket: capacity, refillPerSecond, amount (take, adjust),
 *               remaining (sync) or 0 (peek); sync adds a fourth, pendingAmount
 * and answers an array of strings: nowMs, throttledUntilMs, then what the operation adds.
 *
 * A bucket key holds only a shortfall: a full bucket is deleted, and a key expires once its
 * bucket would have refilled, so idle limiters leave nothing behind and a missing key reads
 * as full, which is exactly what the bucket would hold.
 */

const prelude = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) + tonumber(ARGV[1])
local tolerance = 1e-9
local expiryMarginMs = 1000

local function fmt(x)
  return string.format('%.17g', x)
end

-- The level of a bucket brought up to now (a bucket never seen is full) and its update time.
local function refilled(key, capacity, refill)
  local state = redis.call('HMGET', key, 'l', 't')
  if not state[1] then return capacity, now end
  local at = tonumber(state[2])
  local level = tonumber(state[1]) + math.max(0, now - at) * refill / 1000
  if level > capacity then level = capacity end
  return level, math.max(at, now)
end

local function save(key, level, at, capacity, refill)
  if level >= capacity then
    redis.call('DEL', key)
    return
  end
  redis.call('HSET', key, 'l', fmt(level), 't', fmt(at))
  redis.call('PEXPIRE', key, math.ceil((capacity - level) * 1000 / refill) + expiryMarginMs)
end

local function throttle_mark()
  local mark = tonumber(redis.call('GET', KEYS[1]) or '0')
  if mark > now then return mark end
  return 0
end
`;

/** Takes from every bucket, all or nothing: `1` or `0`, then reason, bucket index, waitMs, levels. */
export const takeScript = `${prelude}
local count = #KEYS - 1
local levels, ats = {}, {}
local refusal, refusal_wait, oversize = 0, 0, false
for i = 1, count do
  local base = 3 + (i - 1) * 3
  local capacity, refill, amount = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  levels[i], ats[i] = refilled(KEYS[i + 1], capacity, refill)
  if amount > capacity + tolerance then
    refusal, refusal_wait, oversize = i, -1, true
  elseif not oversize then
    local shortfall = amount - levels[i]
    local wait = 0
    if shortfall > tolerance then wait = math.ceil(shortfall * 1000 / refill) end
    if wait > 0 and (refusal == 0 or wait > refusal_wait) then refusal, refusal_wait = i, wait end
  end
end
local mark = throttle_mark()
local answer = { fmt(now), fmt(mark) }
if oversize then
  table.insert(answer, 'oversize')
elseif mark > 0 then
  refusal, refusal_wait = 1, mark - now
  table.insert(answer, 'throttled')
elseif refusal > 0 then
  table.insert(answer, 'wait')
else
  for i = 1, count do
    local base = 3 + (i - 1) * 3
    levels[i] = levels[i] - tonumber(ARGV[base + 3])
    save(KEYS[i + 1], levels[i], ats[i], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]))
  end
  table.insert(answer, 'admitted')
end
table.insert(answer, tostring(refusal))
table.insert(answer, fmt(refusal_wait))
for i = 1, count do table.insert(answer, fmt(levels[i])) end
return answer
`;

/** Adds each amount (refunds capped at capacity, charges may go below zero); publishes refunds. */
export const adjustScript = `${prelude}
local count = #KEYS - 1
local answer = { fmt(now), fmt(throttle_mark()) }
local refunded = false
for i = 1, count do
  local base = 3 + (i - 1) * 3
  local capacity, refill, amount = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  local level, at = refilled(KEYS[i + 1], capacity, refill)
  level = math.min(capacity, level + amount)
  if amount > 0 then refunded = true end
  save(KEYS[i + 1], level, at, capacity, refill)
  table.insert(answer, fmt(level))
end
if refunded then redis.call('PUBLISH', ARGV[2], '1') end
return answer
`;

/** Brings levels in line with the server's remaining minus what is pending; publishes raises. */
export const syncScript = `${prelude}
local count = #KEYS - 1
local raise = ARGV[3] == '1'
local answer = { fmt(now), fmt(throttle_mark()) }
local raised = false
for i = 1, count do
  local base = 3 + (i - 1) * 4
  local capacity, refill = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local target = math.max(0, math.min(capacity, tonumber(ARGV[base + 3]) - tonumber(ARGV[base + 4])))
  local level, at = refilled(KEYS[i + 1], capacity, refill)
  if level > target or (raise and level < target) then
    if level < target then raised = true end
    level = target
    save(KEYS[i + 1], level, at, capacity, refill)
  end
  table.insert(answer, fmt(level))
end
if raised then redis.call('PUBLISH', ARGV[2], '1') end
return answer
`;

/** Moves the throttle mark to now + durationMs unless it is already later. */
export const throttleScript = `${prelude}
local mark = throttle_mark()
local wanted = now + math.max(0, tonumber(ARGV[3]))
if wanted > mark and wanted > now then
  mark = wanted
  redis.call('SET', KEYS[1], fmt(mark), 'PX', math.ceil(mark - now))
end
return { fmt(now), fmt(throttle_mark()) }
`;

/** Reads levels and the throttle mark, writing nothing. */
export const peekScript = `${prelude}
local count = #KEYS - 1
local answer = { fmt(now), fmt(throttle_mark()) }
for i = 1, count do
  local base = 3 + (i - 1) * 3
  local level = refilled(KEYS[i + 1], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]))
  table.insert(answer, fmt(level))
end
return answer
`;
