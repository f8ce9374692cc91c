import { purgeStatements } from './expiry-purge';

// The PostgreSQL store's schema and statements. Every time is the database's clock: expiry, claim stamps and
// leases are judged by the one clock every instance shares, so a skewed instance clock cannot take a live claim.

/** The database's clock in epoch ms. */
export const NOW = '(extract(epoch from now()) * 1000)::bigint';

// A turn is kept as JSON text so new Turn fields need no migration; user_id is split out for deleteUser, role and
// ts (turnId: unique in the thread, so a retried save stores nothing twice).
// Claims' user_id, written and claimer and turns' role and ts came later: ADD COLUMN IF NOT EXISTS brings older
// schemas along (turns stored before keep no role and ts: no retry of theirs is coming).
export const schemaSql = (s: string) => `
  CREATE SCHEMA IF NOT EXISTS ${s};
  CREATE TABLE IF NOT EXISTS ${s}.threads (key text PRIMARY KEY, expires_at bigint NOT NULL);
  CREATE INDEX IF NOT EXISTS threads_expires_at ON ${s}.threads (expires_at);
  CREATE TABLE IF NOT EXISTS ${s}.turns (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    thread_key text NOT NULL REFERENCES ${s}.threads (key) ON DELETE CASCADE,
    user_id text,
    data text NOT NULL
  );
  CREATE INDEX IF NOT EXISTS turns_thread_key ON ${s}.turns (thread_key, id);
  CREATE INDEX IF NOT EXISTS turns_user_id ON ${s}.turns (user_id) WHERE user_id IS NOT NULL;
  ALTER TABLE ${s}.turns ADD COLUMN IF NOT EXISTS role text, ADD COLUMN IF NOT EXISTS ts text;
  CREATE UNIQUE INDEX IF NOT EXISTS turns_once ON ${s}.turns (thread_key, ts, role);
  CREATE TABLE IF NOT EXISTS ${s}.claims (
    id text PRIMARY KEY, payload text NOT NULL, claimed_at bigint NOT NULL, expires_at bigint NOT NULL,
    done boolean NOT NULL DEFAULT false
  );
  ALTER TABLE ${s}.claims ADD COLUMN IF NOT EXISTS user_id text,
    ADD COLUMN IF NOT EXISTS written text[] NOT NULL DEFAULT '{}', ADD COLUMN IF NOT EXISTS claimer text;
  CREATE INDEX IF NOT EXISTS claims_pending ON ${s}.claims (claimed_at) WHERE NOT done;
  CREATE INDEX IF NOT EXISTS claims_expires_at ON ${s}.claims (expires_at);
  CREATE INDEX IF NOT EXISTS claims_user_id ON ${s}.claims (user_id) WHERE user_id IS NOT NULL;
  CREATE TABLE IF NOT EXISTS ${s}.leases (key text PRIMARY KEY, token text NOT NULL, expires_at bigint NOT NULL);
  CREATE INDEX IF NOT EXISTS leases_expires_at ON ${s}.leases (expires_at);
  CREATE TABLE IF NOT EXISTS ${s}.waiters (
    key text NOT NULL, ord bigint NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (key, ord)
  );
  CREATE INDEX IF NOT EXISTS waiters_expires_at ON ${s}.waiters (expires_at);
  CREATE TABLE IF NOT EXISTS ${s}.capacity (
    team text NOT NULL, method text NOT NULL, expires_at bigint NOT NULL, slots integer NOT NULL
  );
  CREATE INDEX IF NOT EXISTS capacity_key ON ${s}.capacity (team, method, expires_at);
  ${takeCapacitySql(s)}`;

/**
 * Grants up to p_want slots of a workspace method's allowance while those still held stay within p_limit. The
 * advisory lock serialises instances per workspace method; each statement after it sees what the last one committed.
 */
const takeCapacitySql = (s: string) => `
  CREATE OR REPLACE FUNCTION ${s}.take_capacity(p_team text, p_method text, p_want integer, p_limit integer,
    p_hold bigint) RETURNS integer LANGUAGE plpgsql AS $$
  DECLARE
    now_ms bigint := (extract(epoch from clock_timestamp()) * 1000)::bigint;
    used integer;
    granted integer;
  BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('slack-support-bot capacity ' || p_team || ' ' || p_method));
    DELETE FROM ${s}.capacity WHERE team = p_team AND method = p_method AND expires_at <= now_ms;
    SELECT coalesce(sum(slots), 0) INTO used FROM ${s}.capacity WHERE team = p_team AND method = p_method;
    granted := least(p_want, p_limit - used);
    IF granted <= 0 THEN RETURN 0; END IF;
    INSERT INTO ${s}.capacity (team, method, expires_at, slots) VALUES (p_team, p_method, now_ms + p_hold, granted);
    RETURN granted;
  END $$;`;

/** A completed claim keeps blocking redeliveries until it expires; the question, asker and writes it held go. */
const FORGET_CLAIM = `done = true, payload = '', user_id = NULL, written = '{}'`;

export const statements = (s: string) => ({
  load: `SELECT t.data FROM ${s}.threads h JOIN ${s}.turns t ON t.thread_key = h.key
    WHERE h.key = $1 AND h.expires_at > ${NOW} ORDER BY t.id`,
  has: `SELECT 1 FROM ${s}.threads h WHERE h.key = $1 AND h.expires_at > ${NOW}
    AND EXISTS (SELECT 1 FROM ${s}.turns WHERE thread_key = h.key)`,
  // One statement: turns of an expired (not yet purged) thread go, its expiry moves, the new turns follow in order,
  // but for those stored already (a retried save, perhaps still running: the unique index waits for it).
  append: `WITH stale AS (DELETE FROM ${s}.turns WHERE thread_key = $1
      AND EXISTS (SELECT 1 FROM ${s}.threads WHERE key = $1 AND expires_at <= ${NOW})),
    thread AS (INSERT INTO ${s}.threads (key, expires_at) VALUES ($1, $2)
      ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at RETURNING key)
    INSERT INTO ${s}.turns (thread_key, user_id, role, ts, data) SELECT thread.key, t.user_id, t.role, t.ts, t.data
    FROM thread, unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t (user_id, role, ts, data, n)
    ORDER BY t.n ON CONFLICT (thread_key, ts, role) DO NOTHING`,
  // A batch of claims (arrays of ids, payloads, expiries, users, claimers; ids distinct) in one statement; returns the
  // ids won. A lost claim (the common duplicate event) takes no row lock and writes nothing; an expired claim is
  // re-taken by the UPDATE, which a concurrent re-claimer waits on and then finds no longer expired. Leases work the
  // same way. Ids go in in order, so that two instances' batches holding the same ids never wait on each other.
  claim: `WITH asked AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[])
      AS a (id, payload, expires_at, user_id, claimer)),
    fresh AS (INSERT INTO ${s}.claims (id, payload, claimed_at, expires_at, user_id, claimer)
      SELECT id, payload, ${NOW}, expires_at, user_id, claimer FROM asked ORDER BY id
      ON CONFLICT (id) DO NOTHING RETURNING id),
    expired AS (UPDATE ${s}.claims c SET payload = a.payload, claimed_at = ${NOW}, expires_at = a.expires_at,
      user_id = a.user_id, claimer = a.claimer, written = '{}', done = false FROM asked a
      WHERE c.id = a.id AND c.expires_at <= ${NOW} RETURNING c.id)
    SELECT id FROM fresh UNION ALL SELECT id FROM expired`,
  // A claim asked again after its first try failed unheard. ON CONFLICT DO UPDATE judges the latest committed row,
  // waiting for a first try still running (a snapshot read would miss one committing meanwhile, and lose the claim).
  reclaim: `INSERT INTO ${s}.claims AS c (id, payload, claimed_at, expires_at, user_id, claimer)
    VALUES ($1, $2, ${NOW}, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload,
      claimed_at = excluded.claimed_at, expires_at = excluded.expires_at, user_id = excluded.user_id,
      claimer = excluded.claimer, written = '{}', done = false
    WHERE c.expires_at <= ${NOW} OR (c.claimer = excluded.claimer AND NOT c.done)
    RETURNING id`,
  noteWritten: `UPDATE ${s}.claims SET written = array_append(written, $2)
    WHERE id = $1 AND NOT done AND expires_at > ${NOW}`,
  complete: `UPDATE ${s}.claims SET ${FORGET_CLAIM} WHERE id = $1`,
  touch: `UPDATE ${s}.claims SET claimed_at = ${NOW}
    WHERE id = ANY ($1::text[]) AND NOT done AND expires_at > ${NOW}`,
  takeStale: `UPDATE ${s}.claims SET claimed_at = ${NOW} WHERE id IN (SELECT id FROM ${s}.claims
    WHERE NOT done AND claimed_at <= ${NOW} - $1::bigint AND expires_at > ${NOW} FOR UPDATE SKIP LOCKED)
    RETURNING id, payload, claimed_at, written`,
  // The lease goes to the lowest order waiting: refused unless none lower waits; the caller joins or leaves the line.
  // A lease held by the asking token already (its request landed unseen, asked again) is extended, whoever waits.
  lock: `WITH ahead AS (SELECT 1 FROM ${s}.waiters WHERE key = $1 AND ord < $4::bigint AND expires_at > ${NOW}),
    mine AS (UPDATE ${s}.leases SET expires_at = ${NOW} + $3::bigint
      WHERE key = $1 AND token = $2 AND expires_at > ${NOW} RETURNING 1),
    fresh AS (INSERT INTO ${s}.leases (key, token, expires_at) SELECT $1, $2, ${NOW} + $3::bigint
      WHERE NOT EXISTS (SELECT 1 FROM ahead) ON CONFLICT (key) DO NOTHING RETURNING 1),
    expired AS (UPDATE ${s}.leases SET token = $2, expires_at = ${NOW} + $3::bigint
      WHERE key = $1 AND expires_at <= ${NOW} AND NOT EXISTS (SELECT 1 FROM ahead) RETURNING 1),
    won AS (SELECT 1 FROM mine UNION ALL SELECT 1 FROM fresh UNION ALL SELECT 1 FROM expired),
    joined AS (INSERT INTO ${s}.waiters (key, ord, expires_at) SELECT $1, $4::bigint, ${NOW} + $3::bigint
      WHERE NOT EXISTS (SELECT 1 FROM won) ON CONFLICT (key, ord) DO UPDATE SET expires_at = excluded.expires_at),
    left_line AS (DELETE FROM ${s}.waiters WHERE key = $1 AND ord = $4::bigint AND EXISTS (SELECT 1 FROM won))
    SELECT 1 FROM won`,
  renew: `UPDATE ${s}.leases SET expires_at = ${NOW} + $3 WHERE key = $1 AND token = $2 AND expires_at > ${NOW}
    RETURNING 1`,
  unlock: `DELETE FROM ${s}.leases WHERE key = $1 AND token = $2`,
  deleteThread: `DELETE FROM ${s}.threads WHERE key = $1`,
  deleteUser: `WITH forgotten AS (UPDATE ${s}.claims SET ${FORGET_CLAIM} WHERE user_id = $1)
    DELETE FROM ${s}.threads WHERE key IN (SELECT thread_key FROM ${s}.turns WHERE user_id = $1)
    RETURNING expires_at > ${NOW} AS live`,
  ping: 'SELECT 1',
  takeCapacity: `SELECT ${s}.take_capacity($1, $2, $3, $4, $5) AS granted`,
  // Slots given back: a negative grant, and only while grants held at least as long cover it (never a credit).
  returnCapacity: `INSERT INTO ${s}.capacity (team, method, expires_at, slots)
    SELECT $1, $2, ${NOW} + $3::bigint, -($4::integer)
    WHERE (SELECT coalesce(sum(slots), 0) FROM ${s}.capacity
      WHERE team = $1 AND method = $2 AND expires_at >= ${NOW} + $3::bigint) >= $4::integer`,
});
export type Statement = keyof ReturnType<typeof statements>;

/** The expiry purge: several commands, so sent as one simple (unprepared) query. */
export const purgeSql = (s: string) =>
  [...purgeStatements(NOW, s), `DELETE FROM ${s}.capacity WHERE expires_at <= ${NOW}`].join(';\n');
