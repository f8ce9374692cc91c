import { createHash } from 'node:crypto';

// The Redis store's atomic steps. KEYS are the keys a script is given; keys it builds from a prefix in ARGV
// are fine on a single Redis server (not on a cluster, which this store does not support).

/** A Lua script with its SHA1, so it is sent by hash and its source only to a server that has not seen it. */
const script = (source: string) => ({ source, sha: createHash('sha1').update(source).digest('hex') });
export type Script = ReturnType<typeof script>;

/** Claim key (holding the payload) and pending-set entry are written together, or not at all. */
export const CLAIM = script(`if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) return 1`);
/**
 * Re-stamps the live pending claims in the window in one step. It also keeps the pending set from growing:
 * entries whose claim key has expired are dropped (in the window, and up to 500 older ones per call).
 */
export const TAKE_STALE = script(`local pending, claims, out = KEYS[1], ARGV[4], {}
for _, id in ipairs(redis.call('ZRANGE', pending, '-inf', '(' .. ARGV[1], 'BYSCORE', 'LIMIT', 0, 500)) do
  if redis.call('EXISTS', claims .. id) == 0 then redis.call('ZREM', pending, id) end
end
for _, id in ipairs(redis.call('ZRANGE', pending, ARGV[1], '(' .. ARGV[2], 'BYSCORE')) do
  local payload = redis.call('GET', claims .. id)
  if payload then redis.call('ZADD', pending, ARGV[3], id) table.insert(out, { id, payload })
  else redis.call('ZREM', pending, id) end
end return out`);
/**
 * The lease goes to the lowest order waiting. KEYS: lease, waiting line (a sorted set of orders scored by when they
 * stop waiting). ARGV: token, ttl ms, order, now. Refused, the order joins the line (or renews its place there).
 */
export const LOCK_IN_LINE =
  script(`local line, order, now, ttl = KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', line, '-inf', now)
local ahead = false
for _, waiting in ipairs(redis.call('ZRANGE', line, 0, -1)) do
  if tonumber(waiting) < order then ahead = true break end
end
if not ahead and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('ZREM', line, ARGV[3]) return 1
end
redis.call('ZADD', line, now + ttl, ARGV[3])
if redis.call('PTTL', line) < ttl then redis.call('PEXPIRE', line, ttl) end
return 0`);
/** Compare-and-delete: only the lease's holder can release it. */
export const UNLOCK = script(`if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 0`);
/** Compare-and-extend: only the lease's holder can keep it longer. */
export const RENEW =
  script(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);
/** The user's set may name threads deleted and re-created since: only those still holding their turn go. */
export const DELETE_USER = script(`local n = 0
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, turn in ipairs(redis.call('LRANGE', ARGV[1] .. key, 0, -1)) do
    if cjson.decode(turn).user == ARGV[2] then redis.call('DEL', ARGV[1] .. key) n = n + 1 break end
  end
end redis.call('DEL', KEYS[1]) return n`);
