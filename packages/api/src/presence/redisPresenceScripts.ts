// Lua run atomically in Redis, so that counting a user's sockets across processes and changing the count
// is one step: two processes admitting the same user's sockets at once cannot both pass the limit, and
// exactly one of two racing sockets brings a user online (or takes them offline).
//
// Every script gets the same KEYS and first ARGVs:
//   KEYS[1] zset processId -> last heartbeat (ms)   KEYS[2] this process's hash userId -> open sockets
//   KEYS[3] change counter                          KEYS[4] hash userId -> version of their last change
//   KEYS[5] hash userId -> last seen (ms)
//   ARGV[1] prefix of process hashes   ARGV[2] this process's id   ARGV[3] timeout (ms)   ARGV[4] hash TTL (ms)
// Other processes' hashes are found from the zset, not declared in KEYS: fine on one Redis (or a
// replicated one), not on Redis Cluster. Time comes from Redis (TIME), so processes whose clocks disagree
// still agree on who is alive.

const COMMON = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function liveOthers(now)
  local live = redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[3]), '+inf')
  local others = {}
  for _, id in ipairs(live) do if id ~= ARGV[2] then table.insert(others, id) end end
  return others
end
local function countIn(ids, userId)
  local n = 0
  for _, id in ipairs(ids) do n = n + tonumber(redis.call('HGET', ARGV[1] .. id, userId) or '0') end
  return n
end
local function recordChange(userId, online, now)
  local version = redis.call('INCR', KEYS[3])
  redis.call('HSET', KEYS[4], userId, version)
  if online == 0 then redis.call('HSET', KEYS[5], userId, now) end
  return version
end
`;

/** ARGV[5] userId, ARGV[6] max sockets. Returns {admitted 0|1, version of the online change or 0}. */
export const CONNECT = `${COMMON}
local now = nowMs()
local userId = ARGV[5]
local total = tonumber(redis.call('HGET', KEYS[2], userId) or '0') + countIn(liveOthers(now), userId)
if total >= tonumber(ARGV[6]) then return {0, 0} end
redis.call('HINCRBY', KEYS[2], userId, 1)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if total == 0 then return {1, recordChange(userId, 1, now)} end
return {1, 0}
`;

/** ARGV[5] userId. Returns {version of the offline change or 0, last seen ms}. */
export const DISCONNECT = `${COMMON}
local now = nowMs()
local userId = ARGV[5]
local mine = tonumber(redis.call('HGET', KEYS[2], userId) or '0')
if mine <= 0 then return {0, 0} end
if mine == 1 then redis.call('HDEL', KEYS[2], userId) else redis.call('HINCRBY', KEYS[2], userId, -1) end
if mine == 1 and countIn(liveOthers(now), userId) == 0 then return {recordChange(userId, 0, now), now} end
return {0, 0}
`;

/** Refreshes this process's heartbeat and hash TTL. Returns 1 when it was not registered (first beat, or reaped). */
export const BEAT = `${COMMON}
local added = redis.call('ZADD', KEYS[1], nowMs(), ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return added
`;

/**
 * Removes processes whose heartbeat is older than the timeout, with their hashes; their users who have
 * no socket on a live process go offline. Returns {userId, 0, version, last seen ms, ...}.
 */
export const REAP = `${COMMON}
local now = nowMs()
local cutoff = now - tonumber(ARGV[3])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff)
local out = {}
if #dead == 0 then return out end
local live = redis.call('ZRANGEBYSCORE', KEYS[1], cutoff, '+inf')
local seen = {}
for _, id in ipairs(dead) do
  local key = ARGV[1] .. id
  local fields = redis.call('HGETALL', key)
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], id)
  for i = 1, #fields, 2 do
    local userId = fields[i]
    if not seen[userId] and tonumber(fields[i + 1]) > 0 then
      seen[userId] = true
      if countIn(live, userId) == 0 then
        table.insert(out, userId); table.insert(out, 0); table.insert(out, recordChange(userId, 0, now)); table.insert(out, now)
      end
    end
  end
end
return out
`;

/**
 * Replaces this process's hash with the counts in ARGV[6..] (userId, count pairs) after Redis lost track of
 * them (an outage, or this process was taken for dead). ARGV[5] = '1' leaves instead (shutdown): the hash
 * and the registration go. Returns the changes {userId, online 0|1, version, last seen ms, ...}.
 */
export const RECONCILE = `${COMMON}
local now = nowMs()
local others = liveOthers(now)
local old = {}
local fields = redis.call('HGETALL', KEYS[2])
for i = 1, #fields, 2 do old[fields[i]] = tonumber(fields[i + 1]) end
redis.call('DEL', KEYS[2])
local new = {}
for i = 6, #ARGV, 2 do
  new[ARGV[i]] = tonumber(ARGV[i + 1])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
if ARGV[5] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[2])
else
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
local out = {}
local function consider(userId)
  local before = (old[userId] or 0) > 0
  local after = (new[userId] or 0) > 0
  if before == after or countIn(others, userId) > 0 then return end
  local online = after and 1 or 0
  table.insert(out, userId); table.insert(out, online); table.insert(out, recordChange(userId, online, now)); table.insert(out, now)
end
for userId in pairs(old) do consider(userId) end
for userId in pairs(new) do if old[userId] == nil then consider(userId) end end
return out
`;

/** ARGV[5..] userIds. Returns {sockets on live processes, version, last seen ms or 0, ...} per user. */
export const LOOKUP = `${COMMON}
local now = nowMs()
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[3]), '+inf')
local out = {}
for i = 5, #ARGV do
  local userId = ARGV[i]
  table.insert(out, countIn(live, userId))
  table.insert(out, tonumber(redis.call('HGET', KEYS[4], userId) or '0'))
  table.insert(out, tonumber(redis.call('HGET', KEYS[5], userId) or '0'))
end
return out
`;
