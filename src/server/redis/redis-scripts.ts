/**
 * The Lua scripts that make each multi-key step atomic in Redis.
 *
 * `publish` takes a room's next sequence number, keeps the framed event in the room's capped
 * stream and publishes it, in one step: every process's subscriber receives a room's events in
 * the order of their numbers, with none missing, however many processes publish at once (two
 * processes that INCR'd and then PUBLISHed separately could publish 8 before 7).
 */

/**
 * KEYS: seq hash, log stream, replay-rooms sorted set, replay-bytes hash, replay-total counter.
 * ARGV: channel, now, frame prefix (up to the seq), frame suffix, max frame bytes, events kept,
 * bytes kept per room, replay ms, seq ttl ms, room, bytes kept in all, log key prefix.
 * Returns the seq, or -1 when the frame would be too large (nothing taken).
 *
 * The byte accounting lives beside the streams rather than in them: `replay-bytes` holds each
 * room's framed bytes, `replay-total` their sum, and `replay-rooms` orders the rooms by their
 * oldest kept event, so the total bound drops the oldest event of any room first (as the
 * in-memory bus does) without scanning rooms. A window Redis expired while its room was idle
 * leaves its count behind; the count is dropped when the room next publishes, or when the room
 * comes up as one of the oldest (windows older than the replay age are reclaimed a few per
 * publish), so expired windows never hold the total.
 */
export const PUBLISH_LUA = `
local now = ARGV[2]
local room = ARGV[10]
local logPrefix = ARGV[12]
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'base', now, 'seq', now)
end
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq')) + 1
local seqText = string.format('%d', seq)
local frame = ARGV[3] .. seqText .. ARGV[4]
local bytes = #frame
if bytes > tonumber(ARGV[5]) then return -1 end
redis.call('HSET', KEYS[1], 'seq', seqText)
redis.call('PEXPIRE', KEYS[1], ARGV[9])
local header = 2
if bytes >= 65536 then header = 10 elseif bytes >= 126 then header = 4 end
local framed = header + bytes
local keepEvents = tonumber(ARGV[6])
if keepEvents > 0 then
  -- Drops a room's whole window and its count.
  local function forget(name)
    local held = tonumber(redis.call('HGET', KEYS[4], name) or '0')
    redis.call('HDEL', KEYS[4], name)
    redis.call('ZREM', KEYS[3], name)
    redis.call('DEL', logPrefix .. name)
    if held ~= 0 then redis.call('DECRBY', KEYS[5], held) end
  end
  -- Drops a room's oldest kept event; the room is forgotten once nothing is left.
  local function dropOldest(name)
    local logKey = logPrefix .. name
    local oldest = redis.call('XRANGE', logKey, '-', '+', 'COUNT', 1)[1]
    if oldest == nil then forget(name) return end
    local fields = oldest[2]
    local size = 0
    for i = 1, #fields, 2 do if fields[i] == 'n' then size = tonumber(fields[i + 1]) end end
    redis.call('XDEL', logKey, oldest[1])
    redis.call('HINCRBY', KEYS[4], name, -size)
    redis.call('DECRBY', KEYS[5], size)
    local nextOldest = redis.call('XRANGE', logKey, '-', '+', 'COUNT', 1)[1]
    if nextOldest == nil then forget(name) return end
    local nextFields = nextOldest[2]
    for i = 1, #nextFields, 2 do
      if nextFields[i] == 't' then redis.call('ZADD', KEYS[3], 'XX', nextFields[i + 1], name) end
    end
  end
  -- This room's window expired while it was idle: its count goes with it.
  if redis.call('EXISTS', KEYS[2]) == 0 then forget(room) end
  -- Windows past the replay age can no longer be replayed: reclaim a few per publish.
  local cutoff = tonumber(now) - tonumber(ARGV[8])
  local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. cutoff, 'LIMIT', 0, 4)
  for i = 1, #stale do
    if redis.call('EXISTS', logPrefix .. stale[i]) == 0 then forget(stale[i]) end
  end
  redis.call('XADD', KEYS[2], seqText .. '-0', 'f', frame, 't', now, 'n', framed)
  redis.call('ZADD', KEYS[3], 'NX', now, room)
  local kept = redis.call('HINCRBY', KEYS[4], room, framed)
  local total = redis.call('INCRBY', KEYS[5], framed)
  local keepBytes = tonumber(ARGV[7])
  local length = redis.call('XLEN', KEYS[2])
  -- Oldest first, like the in-memory log: past the count or the byte bound (the newest event is
  -- always kept, so a resume just after it still works).
  while length > 1 and (length > keepEvents or kept > keepBytes) do
    dropOldest(room)
    kept = tonumber(redis.call('HGET', KEYS[4], room) or '0')
    length = length - 1
  end
  -- Past the bound over all rooms: the oldest event of any room goes first.
  local keepTotal = tonumber(ARGV[11])
  total = tonumber(redis.call('GET', KEYS[5]) or '0')
  while total > keepTotal do
    -- This room's newest event stays: pass over the room when that is all it has left.
    local oldest = redis.call('ZRANGE', KEYS[3], 0, 1)
    local victim = oldest[1]
    if victim == room and redis.call('XLEN', KEYS[2]) <= 1 then victim = oldest[2] end
    if victim == nil then break end
    dropOldest(victim)
    total = tonumber(redis.call('GET', KEYS[5]) or '0')
  end
  -- An idle room's whole window goes at once when it is older than the replay age.
  redis.call('PEXPIRE', KEYS[2], ARGV[8])
end
redis.call('PUBLISH', ARGV[1], 'e' .. seqText .. '\\n' .. frame)
return seq
`;

/**
 * Spends the room's next sequence number on an event that was lost (stored, never published), so
 * a `since` from before it can no longer be answered `replayed` (the stream has no entry for it:
 * `gap`), and tells every process's subscriber (`x<seq>`), whose members resume. Nothing to do
 * when the room has no sequence (every old `since` is a `gap` already): returns 0.
 *
 * KEYS: seq hash. ARGV: channel, seq ttl ms. Returns the spent number, or 0.
 */
export const LOST_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq')) + 1
local seqText = string.format('%d', seq)
redis.call('HSET', KEYS[1], 'seq', seqText)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[1], 'x' .. seqText)
return seq
`;

/**
 * KEYS: seq hash, log stream. ARGV: now, since ('' for none), replay ms, seq ttl ms, idle seq ttl
 * ms. Returns { seq, kind, missed, frames... } with kind 'none' | 'gap' | 'replayed'. Creates the
 * room's sequence when it has none, so the seq a client is told is the one later events follow.
 * A sequence that never numbered an event is kept for the idle ttl only (the processes with
 * members in its room keep it: `KEEP_IDLE_LUA`): every join makes one, and a client joining and
 * leaving room after room would otherwise leave one behind for a whole seq ttl each.
 */
export const RESUME_LUA = `
local now = ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'base', now, 'seq', now)
end
local ttl = ARGV[4]
if redis.call('HGET', KEYS[1], 'seq') == redis.call('HGET', KEYS[1], 'base') then ttl = ARGV[5] end
redis.call('PEXPIRE', KEYS[1], ttl)
local seqText = redis.call('HGET', KEYS[1], 'seq')
local seq = tonumber(seqText)
local base = tonumber(redis.call('HGET', KEYS[1], 'base'))
if ARGV[2] == '' then return { seqText, 'none', 0 } end
local since = tonumber(ARGV[2])
-- A since from another run of the sequence (before Redis lost it, or before the room expired)
-- says nothing about how many events were missed.
if since > seq or since < base then return { seqText, 'gap', 0 } end
if since == seq then return { seqText, 'replayed', 0 } end
local entries = redis.call('XRANGE', KEYS[2], string.format('%d', since + 1) .. '-0', '+')
local expected = seq - since
local oldest = tonumber(now) - tonumber(ARGV[3])
local first = entries[1]
local covered = #entries == expected and first ~= nil
  and first[1] == string.format('%d', since + 1) .. '-0'
if covered then
  local fields = first[2]
  for i = 1, #fields, 2 do
    if fields[i] == 't' and tonumber(fields[i + 1]) < oldest then covered = false end
  end
end
if not covered then return { seqText, 'gap', expected } end
local result = { seqText, 'replayed', expected }
for i = 1, #entries do
  local fields = entries[i][2]
  for j = 1, #fields, 2 do
    if fields[j] == 'f' then result[#result + 1] = fields[j + 1] end
  end
end
return result
`;

/**
 * Writes (or, with an empty entry, deletes) one process's part of a person's presence in a room,
 * and publishes the person's whole state with a version, so every process applies notices about
 * one person in order and ignores an older one that arrives late.
 *
 * KEYS: person hash, people set, version counter, holdings set.
 * ARGV: channel, process id, entry JSON or '', holdings member, user id.
 */
export const PRESENCE_WRITE_LUA = `
local v = redis.call('INCR', KEYS[3])
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[2])
  redis.call('SREM', KEYS[4], ARGV[4])
else
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
  redis.call('SADD', KEYS[2], ARGV[5])
  redis.call('SADD', KEYS[4], ARGV[4])
end
redis.call('HSET', KEYS[1], '_v', v)
local all = redis.call('HGETALL', KEYS[1])
if #all <= 2 then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[5])
  all = {}
end
redis.call('PUBLISH', ARGV[1], 'u' .. cjson.encode({ ARGV[5], v, all }))
return v
`;

/**
 * A room's presence as stored: { version, user, { field, value, ... }, user, ... }.
 * KEYS: people set, version counter. ARGV: the person-key prefix of the room.
 */
export const PRESENCE_LOAD_LUA = `
local result = { tonumber(redis.call('GET', KEYS[2]) or '0') }
local users = redis.call('SMEMBERS', KEYS[1])
for i = 1, #users do
  result[#result + 1] = users[i]
  result[#result + 1] = redis.call('HGETALL', ARGV[1] .. users[i])
end
return result
`;

/**
 * Renews this process's alive key, then cleans up after every process whose alive key expired
 * (it died without leaving: kill -9, a lost machine):
 * - removes its presence, publishing a notice per person so the other processes send the leave;
 * - for each room it had marked as owed an event (`publishing:<id>`: a change it was committing
 *   and had not published), spends the room's next number as `LOST_LUA` does, so every process's
 *   members resume and get `gap`: the change may be in the database, and nobody else will
 *   announce it when its writer never sends it again.
 * Returns { entries removed, 1 if this process's own key was still there (0: it had expired, so
 * others may have removed this process's entries already), rooms told to resume }.
 *
 * KEYS: processes set, version counter. ARGV: this process's id, alive-key prefix, holdings-key
 * prefix, alive ttl ms, publishing-key prefix, seq-key prefix, channel prefix, seq ttl ms.
 */
export const PRESENCE_HEARTBEAT_LUA = `
local wasAlive = redis.call('EXISTS', ARGV[2] .. ARGV[1])
redis.call('SET', ARGV[2] .. ARGV[1], '1', 'PX', ARGV[4])
redis.call('SADD', KEYS[1], ARGV[1])
local removed = 0
local lost = 0
local ids = redis.call('SMEMBERS', KEYS[1])
for i = 1, #ids do
  local id = ids[i]
  if id ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. id) == 0 then
    local holdings = ARGV[3] .. id
    local members = redis.call('SMEMBERS', holdings)
    for j = 1, #members do
      local held = cjson.decode(members[j])
      local person, people, channel, user = held[1], held[2], held[3], held[4]
      if redis.call('HDEL', person, id) == 1 then
        removed = removed + 1
        local v = redis.call('INCR', KEYS[2])
        redis.call('HSET', person, '_v', v)
        local all = redis.call('HGETALL', person)
        if #all <= 2 then
          redis.call('DEL', person)
          redis.call('SREM', people, user)
          all = {}
        end
        redis.call('PUBLISH', channel, 'u' .. cjson.encode({ user, v, all }))
      end
    end
    redis.call('DEL', holdings)
    local publishing = ARGV[5] .. id
    local owed = redis.call('SMEMBERS', publishing)
    for j = 1, #owed do
      -- '<token> <room>': the token has no space, the room may.
      local room = string.sub(owed[j], string.find(owed[j], ' ', 1, true) + 1)
      local seqKey = ARGV[6] .. room
      -- A room without a sequence has no member who could resume from before the loss.
      if redis.call('EXISTS', seqKey) == 1 then
        local seq = tonumber(redis.call('HGET', seqKey, 'seq')) + 1
        local seqText = string.format('%d', seq)
        redis.call('HSET', seqKey, 'seq', seqText)
        redis.call('PEXPIRE', seqKey, ARGV[8])
        redis.call('PUBLISH', ARGV[7] .. room, 'x' .. seqText)
        lost = lost + 1
      end
    end
    redis.call('DEL', publishing)
    redis.call('SREM', KEYS[1], id)
  end
end
return { removed, wasAlive, lost }
`;

/**
 * Keeps the sequence of a room that has members on this process and has never numbered an event
 * for another idle ttl (`RESUME_LUA` gave it that much); one that numbered events keeps its own.
 *
 * KEYS: seq hash. ARGV: idle seq ttl ms. Returns 1 when it was kept, else 0.
 */
export const KEEP_IDLE_LUA = `
local h = redis.call('HMGET', KEYS[1], 'base', 'seq')
if h[1] and h[1] == h[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 1
end
return 0
`;
