/**
 * The store's operations, one Lua script each, so that every read-decide-write runs atomically
 * inside Redis on Redis's own clock (`TIME`). The arithmetic repeats `bucket-math.ts` of
 * `@bulwark/ratelimit` line for line.
 *
 * A scope is ONE hash: `<bucket>:l` (level) and `<bucket>:t` (ms it was brought up to date) per
 * bucket, and `throttle` (ms until which takes are refused). One key keeps each script to a
 * handful of Redis calls (one read, one write, the expiry), and a cluster trivially in one slot.
 *
 * Every script gets
 *   KEYS[1]     the scope's hash
 *   ARGV[1]     milliseconds added to `TIME` (0 outside tests)
 *   ARGV[2]     the channel to publish a refund on
 *   ARGV[3]     a per-operation argument (`raise` for sync, `durationMs` for throttle)
 *   ARGV[4..]   per bucket: name, capacity, refillPerSecond, amount (take, adjust) or 0 (peek);
 *               sync passes name, capacity, refillPerSecond, remaining, pendingAmount
 * and answers an array of strings: nowMs, throttledUntilMs, then what the operation adds.
 *
 * Only shortfalls are stored: a full bucket's fields are deleted (Redis drops an empty hash),
 * and the key expires once every bucket in it would have refilled and the throttle mark has
 * passed, so idle limiters leave nothing behind and a missing bucket reads as full, which is
 * exactly what it would hold.
 */

const prelude = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local key = KEYS[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) + tonumber(ARGV[1])
local tolerance = 1e-9
local expiryMarginMs = 1000

local function fmt(x)
  return string.format('%.17g', x)
end

-- Reads the throttle mark and the named buckets in one call; returns the mark and the values.
local function read(names)
  local fields = { 'throttle' }
  for i = 1, #names do
    fields[#fields + 1] = names[i] .. ':l'
    fields[#fields + 1] = names[i] .. ':t'
  end
  local values = redis.call('HMGET', key, unpack(fields))
  local mark = tonumber(values[1] or '0')
  if mark <= now then mark = 0 end
  return mark, values
end

-- The level of bucket i brought up to now (a bucket never seen is full) and its update time.
local function refilled(values, i, capacity, refill)
  local level, at = values[2 * i], values[2 * i + 1]
  if not level then return capacity, now end
  at = tonumber(at)
  level = tonumber(level) + math.max(0, now - at) * refill / 1000
  if level > capacity then level = capacity end
  return level, math.max(at, now)
end

-- Writes changed buckets in one call (full ones deleted) and extends, never shortens, the expiry.
local function save(changes, keepMs)
  local set, deleted = {}, {}
  for _, change in ipairs(changes) do
    local name, level, at, capacity, refill = change[1], change[2], change[3], change[4], change[5]
    if level >= capacity then
      deleted[#deleted + 1] = name .. ':l'
      deleted[#deleted + 1] = name .. ':t'
    else
      set[#set + 1] = name .. ':l'
      set[#set + 1] = fmt(level)
      set[#set + 1] = name .. ':t'
      set[#set + 1] = fmt(at)
      keepMs = math.max(keepMs, (capacity - level) * 1000 / refill)
    end
  end
  if #deleted > 0 then redis.call('HDEL', key, unpack(deleted)) end
  if #set == 0 then return end
  redis.call('HSET', key, unpack(set))
  local wanted = math.ceil(keepMs) + expiryMarginMs
  if redis.call('PTTL', key) < wanted then redis.call('PEXPIRE', key, wanted) end
end

-- The buckets of ARGV[4..]: their names, and their numbers in groups of stride - 1.
local function bucket_args(stride)
  local names, shapes = {}, {}
  for base = 4, #ARGV, stride do
    names[#names + 1] = ARGV[base]
    local shape = {}
    for j = 1, stride - 1 do shape[j] = tonumber(ARGV[base + j]) end
    shapes[#shapes + 1] = shape
  end
  return names, shapes
end
`;

/** Takes from every bucket, all or nothing: outcome, bucket index, waitMs, then levels. */
export const takeScript = `${prelude}
local names, shapes = bucket_args(4)
local mark, values = read(names)
local levels, ats = {}, {}
local refusal, refusal_wait, oversize = 0, 0, false
for i = 1, #names do
  local capacity, refill, amount = shapes[i][1], shapes[i][2], shapes[i][3]
  levels[i], ats[i] = refilled(values, i, capacity, refill)
  if oversize then
    -- the first oversize bucket is the answer; the rest are only refilled for the levels
  elseif amount > capacity + tolerance then
    refusal, refusal_wait, oversize = i, -1, true
  else
    local shortfall = amount - levels[i]
    local wait = 0
    if shortfall > tolerance then wait = math.ceil(shortfall * 1000 / refill) end
    if wait > 0 and (refusal == 0 or wait > refusal_wait) then refusal, refusal_wait = i, wait end
  end
end
local answer = { fmt(now), fmt(mark) }
if oversize then
  answer[3] = 'oversize'
elseif mark > 0 then
  refusal, refusal_wait = 1, mark - now
  answer[3] = 'throttled'
elseif refusal > 0 then
  answer[3] = 'wait'
else
  local changes = {}
  for i = 1, #names do
    levels[i] = levels[i] - shapes[i][3]
    changes[i] = { names[i], levels[i], ats[i], shapes[i][1], shapes[i][2] }
  end
  save(changes, 0)
  answer[3] = 'admitted'
end
answer[4] = tostring(refusal)
answer[5] = fmt(refusal_wait)
for i = 1, #names do answer[5 + i] = fmt(levels[i]) end
return answer
`;

/** Adds each amount (refunds capped at capacity, charges may go below zero); publishes refunds. */
export const adjustScript = `${prelude}
local names, shapes = bucket_args(4)
local mark, values = read(names)
local answer = { fmt(now), fmt(mark) }
local changes, refunded = {}, false
for i = 1, #names do
  local capacity, refill, amount = shapes[i][1], shapes[i][2], shapes[i][3]
  local level, at = refilled(values, i, capacity, refill)
  level = math.min(capacity, level + amount)
  if amount > 0 then refunded = true end
  changes[i] = { names[i], level, at, capacity, refill }
  answer[2 + i] = fmt(level)
end
save(changes, mark - now)
if refunded then redis.call('PUBLISH', ARGV[2], '1') end
return answer
`;

/** Brings levels in line with the server's remaining minus what is pending; publishes raises. */
export const syncScript = `${prelude}
local names, shapes = bucket_args(5)
local raise = ARGV[3] == '1'
local mark, values = read(names)
local answer = { fmt(now), fmt(mark) }
local changes, raised = {}, false
for i = 1, #names do
  local capacity, refill = shapes[i][1], shapes[i][2]
  local target = math.max(0, math.min(capacity, shapes[i][3] - shapes[i][4]))
  local level, at = refilled(values, i, capacity, refill)
  if level > target or (raise and level < target) then
    if level < target then raised = true end
    level = target
    changes[#changes + 1] = { names[i], level, at, capacity, refill }
  end
  answer[2 + i] = fmt(level)
end
save(changes, mark - now)
if raised then redis.call('PUBLISH', ARGV[2], '1') end
return answer
`;

/** Moves the throttle mark to now + durationMs unless it is already later. */
export const throttleScript = `${prelude}
local mark = read({})
local wanted = now + math.max(0, tonumber(ARGV[3]))
if wanted > mark and wanted > now then
  mark = wanted
  redis.call('HSET', key, 'throttle', fmt(mark))
  local keep = math.ceil(mark - now) + expiryMarginMs
  if redis.call('PTTL', key) < keep then redis.call('PEXPIRE', key, keep) end
end
return { fmt(now), fmt(mark) }
`;

/** Reads levels and the throttle mark, writing nothing. */
export const peekScript = `${prelude}
local names, shapes = bucket_args(4)
local mark, values = read(names)
local answer = { fmt(now), fmt(mark) }
for i = 1, #names do
  answer[2 + i] = fmt((refilled(values, i, shapes[i][1], shapes[i][2])))
end
return answer
`;
