import { createHash } from 'node:crypto';

// The Redis store's atomic steps. KEYS are the keys a script is given; keys it builds from a prefix in ARGV
// are fine on a single Redis server (not on a cluster, which this store does not support).
// Claim stamps and waiting-line times come from the server's TIME, never from the caller: every instance is judged
// by the one clock they share, so an instance whose clock runs ahead cannot take over claims that are alive.

/** A Lua script with its SHA1, so it is sent by hash and its source only to a server that has not seen it. */
const script = (source: string) => ({ source, sha: createHash('sha1').update(source).digest('hex') });
export type Script = ReturnType<typeof script>;
/** A script that starts by reading the server's clock: `now` in epoch ms, and `ms(n)` to pass a time as digits. */
const timed = (body: string) =>
  script(`local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function ms(n) return string.format('%d', n) end
${body}`);

// Taking a free claim: the pending-set entry, a fresh written list, the asker's claim set, the claimer's name.
const TAKE = `redis.call('ZADD', KEYS[2], ms(now), ARGV[3])
redis.call('DEL', KEYS[3])
if ARGV[4] ~= '' then
  redis.call('SADD', KEYS[4], ARGV[3])
  redis.call('PEXPIREAT', KEYS[4], ARGV[2], 'NX') redis.call('PEXPIREAT', KEYS[4], ARGV[2], 'GT')
end
if ARGV[5] ~= '' then redis.call('SET', KEYS[5], ARGV[5], 'PXAT', ARGV[2]) else redis.call('DEL', KEYS[5]) end
return 1`;
/**
 * KEYS: claim, pending set, its written list, the asker's claim set, its claimer. ARGV: payload, expiresAt, id,
 * user (or ''), claimer (or ''). Claim key (holding the payload) and pending-set entry are written together, or not
 * at all.
 */
export const CLAIM = timed(`if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[2]) then return 0 end
${TAKE}`);
/** As CLAIM; a claim still pending under the same claimer (its first try landed unseen) is won too. */
export const RECLAIM = timed(`if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[2]) then
  if redis.call('GET', KEYS[5]) == ARGV[5] and redis.call('ZSCORE', KEYS[2], ARGV[3]) then return 1 end
  return 0
end
${TAKE}`);
/** KEYS: claim, pending set, written list. ARGV: id, ts. Only a pending claim's list grows; it expires with it. */
export const NOTE_WRITTEN = script(`if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return 0 end
redis.call('RPUSH', KEYS[3], ARGV[2]) redis.call('PEXPIRE', KEYS[3], ttl) return 1`);
/** KEYS: pending set. ARGV: ids. XX: completed claims (no longer in the set) are not brought back. */
export const TOUCH = timed(`for _, id in ipairs(ARGV) do redis.call('ZADD', KEYS[1], 'XX', ms(now), id) end
return 0`);
/**
 * KEYS: pending set. ARGV: staleMs, claim key prefix, written list prefix. Re-stamps the live pending claims not
 * stamped for staleMs, returning {id, payload, stamp, written}; entries whose claim key has expired are dropped.
 */
export const TAKE_STALE = timed(`local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], '-inf', ms(now - tonumber(ARGV[1])), 'BYSCORE')) do
  local payload = redis.call('GET', ARGV[2] .. id)
  if payload then
    redis.call('ZADD', KEYS[1], ms(now), id)
    table.insert(out, { id, payload, now, redis.call('LRANGE', ARGV[3] .. id, 0, -1) })
  else redis.call('ZREM', KEYS[1], id) end
end return out`);
/** A claim as TAKE_STALE returns it: id, payload, the server's stamp, written ts oldest first. */
export type TakenClaim = [string, string, number, string[]];
/**
 * The lease goes to the lowest order waiting. KEYS: lease, waiting line (a sorted set of orders scored by when they
 * stop waiting). ARGV: token, ttl ms, order. Refused, the order joins the line (or renews its place there). Held by
 * the token already (a request that landed unseen, asked again), it is extended, whoever waits.
 */
export const LOCK = timed(`local line, order, ttl = KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', line, '-inf', ms(now))
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2]) redis.call('ZREM', line, ARGV[3]) return 1
end
local ahead = false
for _, waiting in ipairs(redis.call('ZRANGE', line, 0, -1)) do
  if tonumber(waiting) < order then ahead = true break end
end
if not ahead and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('ZREM', line, ARGV[3]) return 1
end
redis.call('ZADD', line, ms(now + ttl), ARGV[3])
if redis.call('PTTL', line) < ttl then redis.call('PEXPIRE', line, ARGV[2]) end
return 0`);
/**
 * KEYS: thread list, its set of stored turn ids (turnId), then the set of threads of each user speaking. ARGV:
 * expiresAt, thread key, then a turn id and its JSON per turn. A turn whose id is stored already is skipped (a
 * retried save); the thread and its id set expire together, each user's set no sooner than this thread.
 */
export const APPEND = script(`for i = 3, #ARGV, 2 do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then redis.call('RPUSH', KEYS[1], ARGV[i + 1]) end
end
redis.call('PEXPIREAT', KEYS[1], ARGV[1]) redis.call('PEXPIREAT', KEYS[2], ARGV[1])
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[2])
  redis.call('PEXPIREAT', KEYS[i], ARGV[1], 'NX') redis.call('PEXPIREAT', KEYS[i], ARGV[1], 'GT')
end
return 0`);
/** Compare-and-delete: only the lease's holder can release it. */
export const UNLOCK = script(`if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 0`);
/** Compare-and-extend: only the lease's holder can keep it longer. */
export const RENEW =
  script(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);
/**
 * KEYS: the user's thread set, their claim set, the pending set. ARGV: thread, claim and written-list prefixes,
 * user, turn-id set prefix. The user's pending claims are completed (the question goes, the key keeps blocking redeliveries). The thread
 * set may name threads deleted and re-created since: only those still holding the user's turn go.
 */
export const DELETE_USER = script(`local n = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('ZREM', KEYS[3], id) == 1 then
    redis.call('SET', ARGV[2] .. id, '', 'XX', 'KEEPTTL') redis.call('DEL', ARGV[3] .. id)
  end
end
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, turn in ipairs(redis.call('LRANGE', ARGV[1] .. key, 0, -1)) do
    if cjson.decode(turn).user == ARGV[4] then redis.call('DEL', ARGV[1] .. key, ARGV[5] .. key) n = n + 1 break end
  end
end redis.call('DEL', KEYS[1], KEYS[2]) return n`);

/**
 * KEYS: the workspace method's grants (a sorted set scored by expiry, members `slots:nonce`). ARGV: want, limit, holdMs,
 * nonce. Grants up to `want` slots while those still held stay within `limit`; returns how many.
 */
export const TAKE_CAPACITY = timed(`redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms(now))
local used = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do used = used + tonumber(string.match(member, '^(-?%d+):')) end
local granted = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - used)
if granted <= 0 then return 0 end
local expires = now + tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], ms(expires), granted .. ':' .. ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ms(expires))
return granted`);
/**
 * KEYS: as TAKE_CAPACITY. ARGV: slots, holdMs, nonce. Slots given back count as a negative grant for `holdMs`, and
 * only while grants held at least that long cover them: a return never becomes a credit.
 */
export const RETURN_CAPACITY = timed(`local expires = now + tonumber(ARGV[2])
local held = 0
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ms(expires), '+inf')) do
  held = held + tonumber(string.match(member, '^(-?%d+):'))
end
if held < tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], ms(expires), '-' .. ARGV[1] .. ':' .. ARGV[3])
return 1`);
