-- The Jobs API schema: one table of ETL runs, served by PostgREST.
--
-- Safe to apply more than once (every statement is IF NOT EXISTS, CREATE OR REPLACE, or guarded), to an empty
-- database or to one that already holds it:
--
--   psql -v ON_ERROR_STOP=1 -d jobs -f db/schema.sql
--
-- Roles are cluster-wide; the three below are created once and granted what PostgREST needs:
--   web_anon       the anonymous role (requests without a token): read only.
--   jobs_writer    the role named in the JWT `role` claim of an ETL job's token: reads, starts and ends runs,
--                  never deletes.
--   authenticator  the role PostgREST logs in as; it switches to one of the two above per request. Give it a
--                  password (ALTER ROLE authenticator PASSWORD '...') and put it in postgrest.conf's db-uri.

CREATE SCHEMA IF NOT EXISTS api;

COMMENT ON SCHEMA api IS 'What PostgREST exposes (db-schemas = "api"): the jobs table and the jobs_latest view.';

CREATE TABLE IF NOT EXISTS api.jobs (
    id                SERIAL PRIMARY KEY,
    name              TEXT NOT NULL,
    start_date        TIMESTAMPTZ NOT NULL,
    -- NULL while the run is in progress: a client starts a run with end_date null.
    end_date          TIMESTAMPTZ,
    message           TEXT,
    status            TEXT NOT NULL,
    records_processed INTEGER,
    source            TEXT NOT NULL,
    destination       TEXT NOT NULL,
    CONSTRAINT jobs_status_check CHECK (status IN ('in_progress', 'success', 'error')),
    CONSTRAINT jobs_end_after_start_check CHECK (end_date >= start_date),
    CONSTRAINT jobs_records_processed_check CHECK (records_processed >= 0)
);

COMMENT ON TABLE api.jobs IS
    'One row per run of an ETL job. A run is inserted with status in_progress when it starts and updated with its '
    'outcome when it ends. The watermark of a job is the greatest start_date among its successful runs.';
COMMENT ON COLUMN api.jobs.id IS 'Assigned by the server; identifies the run when its outcome is recorded.';
COMMENT ON COLUMN api.jobs.name IS 'Identifies the ETL job; every run of the same job carries the same name.';
COMMENT ON COLUMN api.jobs.start_date IS 'When the run started, by the client''s clock.';
COMMENT ON COLUMN api.jobs.end_date IS 'When the run ended; NULL while it is in progress. Never before start_date.';
COMMENT ON COLUMN api.jobs.message IS 'Optional text, such as the error of a failed run.';
COMMENT ON COLUMN api.jobs.status IS 'in_progress, success or error.';
COMMENT ON COLUMN api.jobs.records_processed IS 'How many records the run processed; never negative.';
COMMENT ON COLUMN api.jobs.source IS 'Name of the system the job reads from.';
COMMENT ON COLUMN api.jobs.destination IS 'Name of the system the job writes to.';

-- Serves the watermark query that clients send for every run
--   WHERE name = $1 AND status = 'success' ORDER BY start_date DESC LIMIT 1
-- as one index probe: only this job's successful runs are in the index, already in the order asked for, so the
-- rows of other jobs (and of failed or running ones) are never read.
CREATE INDEX IF NOT EXISTS jobs_watermark_idx ON api.jobs (name, start_date DESC) WHERE status = 'success';

-- Listing a job's runs newest first, and the jobs_latest view, read by name and start_date.
CREATE INDEX IF NOT EXISTS jobs_name_start_date_idx ON api.jobs (name, start_date DESC);

-- Overlap guard, opt-in: at most one in_progress run per job name. A second start of a job whose earlier run has
-- not ended is then refused with SQLSTATE 23505, which PostgREST answers with 409 Conflict, and the JobUtil client
-- raises JobAlreadyRunningException without running the job's work. It is off by default: a run whose process died
-- stays in_progress and blocks every later run of its job until it is ended. With heartbeats and recovery (below)
-- such a run is ended as error once it is stale, and the next start goes through, so the guard is safe to turn on
-- wherever recovery runs (the client's recovery option before each start, or `jobutil recover` from cron).
-- To enable it, run this statement once (it is safe to run again):
-- CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_in_progress_per_name ON api.jobs (name) WHERE status = 'in_progress';

-- Heartbeats. A running client may update heartbeat_at at an interval and records the machine it runs on in host.
-- Both are added to a table created before they existed, and both stay NULL for clients that do not use them.
ALTER TABLE api.jobs ADD COLUMN IF NOT EXISTS heartbeat_at TIMESTAMPTZ;
ALTER TABLE api.jobs ADD COLUMN IF NOT EXISTS host TEXT;

COMMENT ON COLUMN api.jobs.heartbeat_at IS
    'When the running client last said it was alive, by its clock; NULL when it sends no heartbeats.';
COMMENT ON COLUMN api.jobs.host IS 'The machine the run runs on, as the client names it; NULL when not given.';

-- Stale runs and their recovery. A run is stale when it is in_progress and its heartbeat, or its start when it has
-- no heartbeat, is older than a threshold X that the operator chooses (for example 5 minutes with heartbeats every
-- minute, or a day without heartbeats). Recovery ends each stale run as error with one conditional update, so two
-- recoverers end it once and a run that heartbeats between the lookup and the update is left alone:
--
--   PATCH /jobs?id=eq.42&status=eq.in_progress&or=(heartbeat_at.lt.X,and(heartbeat_at.is.null,start_date.lt.X))
--   {"status":"error","end_date":"<now>","message":"abandoned: last seen <heartbeat_at or start_date> on <host>"}
--
-- An answer of [] means another recoverer ended the run first, or it heartbeated in between. Keep status in a plain
-- filter, as above: PostgREST v12 re-applies or=/and= trees to the rows a PATCH returns. In SQL, from cron:
--
--   UPDATE api.jobs
--      SET status = 'error', end_date = greatest(now(), start_date),
--          message = format('abandoned: last seen %s on %s', coalesce(heartbeat_at, start_date), coalesce(host, 'an unknown host'))
--    WHERE status = 'in_progress'
--      AND (heartbeat_at < now() - interval '1 hour' OR (heartbeat_at IS NULL AND start_date < now() - interval '1 hour'));
--
-- Only in_progress rows are in this index, so the lookup never reads the table's history; each arm of the OR is a
-- range of it (heartbeat_at < X; heartbeat_at IS NULL AND start_date < X).
CREATE INDEX IF NOT EXISTS jobs_stale_idx ON api.jobs (heartbeat_at, start_date) WHERE status = 'in_progress';

-- Cursors: the position a successful run reached in its source (a timestamp, an id, a log sequence number, a page
-- token), stored with its outcome so that the next run resumes from it. Text, not jsonb: a position is one opaque
-- value that the job alone interprets, and text stores it byte for byte (jsonb would reorder and reformat it). NULL
-- for runs that store none, so rows written before the column existed read as "no cursor". A job's cursor is the one
-- of its successful run with the greatest start_date (then id) among those that stored one:
--
--   GET /jobs?select=cursor&name=eq.X&status=eq.success&cursor=not.is.null&order=start_date.desc,id.desc&limit=1
ALTER TABLE api.jobs ADD COLUMN IF NOT EXISTS cursor TEXT;

COMMENT ON COLUMN api.jobs.cursor IS
    'Where the run got to in its source (a timestamp, an id, a token), recorded with its success; the next run resumes '
    'from the cursor of the latest successful run that stored one. NULL when the run stored none.';

-- Serves the cursor query above as one index probe: only this job's successful runs that stored a cursor are in it,
-- in the order asked for.
CREATE INDEX IF NOT EXISTS jobs_cursor_idx ON api.jobs (name, start_date DESC, id DESC) WHERE status = 'success' AND cursor IS NOT NULL;

-- Run keys: exactly-once starts. Every JobUtil start sends a fresh uuid in run_key. A start whose response was lost
-- (the connection dropped, a proxy's 502 after the insert was committed) looks its key up and adopts the row that holds
-- it, and only that row, whatever the precision of start_date and however many starts of the same job run at once. The
-- unique index makes a retried insert of a committed start fail (23505, which PostgREST answers with 409) instead of
-- writing a second row. NULL for rows written by clients that send no key (the Python original); a unique index allows
-- any number of NULLs. Without this column a lost start can be recognised only by an exact, unique start_date, and fails
-- when that cannot tell it from another start's (see the README, "Exactly-once starts").
ALTER TABLE api.jobs ADD COLUMN IF NOT EXISTS run_key UUID;
CREATE UNIQUE INDEX IF NOT EXISTS jobs_run_key_idx ON api.jobs (run_key);

COMMENT ON COLUMN api.jobs.run_key IS
    'The key the client made for this start (a uuid, unique), by which it finds its row when the answer to its insert '
    'was lost; NULL when the client sent none.';

-- Final states are final. Once a run has ended (status success or error) none of its columns may change: a stray or
-- repeated outcome must not rewrite the outcome, the count or the watermark (start_date of a success). An update
-- that sets a finished run's columns to the values they already hold is allowed, so a retried request whose first
-- attempt was committed succeeds. A refused update fails with SQLSTATE 23J01 (class 23, integrity constraint
-- violation), which every PostgREST version answers with 400 and the error body
--   {"code":"23J01",
--    "message":"run 42 of job \"nightly\" has already ended (status success, end_date 2024-05-01 01:00:00+00, records_processed 503) and cannot be changed",
--    "details":"The update would change: status, end_date.",
--    "hint":"A finished run is final. The table's owner may correct it in a transaction after SET LOCAL jobutil.allow_final_update = on."}
-- Administrators' escape: the table's owner (or a superuser) may correct a finished run after
--   BEGIN; SET LOCAL jobutil.allow_final_update = on; UPDATE api.jobs SET ... WHERE id = 42; COMMIT;
-- The setting is ignored for every other role, so PostgREST's roles can never use it.
CREATE SCHEMA IF NOT EXISTS jobutil;

COMMENT ON SCHEMA jobutil IS 'Functions of the jobs API that PostgREST does not expose (db-schemas = "api").';

-- search_path is pinned so that no object created by a caller can stand in for the built-ins the function calls.
CREATE OR REPLACE FUNCTION jobutil.refuse_change_to_finished_run() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    changed text;
BEGIN
    IF OLD.status = 'in_progress' THEN
        RETURN NEW;
    END IF;

    SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) INTO changed
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped
      AND to_jsonb(NEW) -> a.attname::text IS DISTINCT FROM to_jsonb(OLD) -> a.attname::text;

    IF changed IS NULL
        OR (current_setting('jobutil.allow_final_update', true) = 'on'
            AND pg_catalog.pg_has_role(current_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'USAGE'))
    THEN
        RETURN NEW;
    END IF;

    RAISE EXCEPTION USING
        ERRCODE = '23J01',
        MESSAGE = format('run %s of job "%s" has already ended (status %s, end_date %s, records_processed %s) and cannot be changed',
                         OLD.id, OLD.name, OLD.status, coalesce(OLD.end_date::text, 'null'), coalesce(OLD.records_processed::text, 'null')),
        DETAIL = format('The update would change: %s.', changed),
        HINT = 'A finished run is final. The table''s owner may correct it in a transaction after SET LOCAL jobutil.allow_final_update = on.',
        TABLE = TG_TABLE_NAME,
        SCHEMA = TG_TABLE_SCHEMA,
        CONSTRAINT = 'jobs_final_state';
END
$$;

COMMENT ON FUNCTION jobutil.refuse_change_to_finished_run() IS
    'Trigger of api.jobs: refuses any change to a finished run (SQLSTATE 23J01), unless the table''s owner has set '
    'jobutil.allow_final_update = on.';

DROP TRIGGER IF EXISTS jobs_final_state ON api.jobs;
CREATE TRIGGER jobs_final_state BEFORE UPDATE ON api.jobs
    FOR EACH ROW EXECUTE FUNCTION jobutil.refuse_change_to_finished_run();

-- The newest run of every job, readable anonymously (a dashboard of the last outcome of each job).
CREATE OR REPLACE VIEW api.jobs_latest AS
    SELECT DISTINCT ON (name) id, name, start_date, end_date, message, status, records_processed, source, destination,
                              heartbeat_at, host, cursor
    FROM api.jobs
    ORDER BY name, start_date DESC, id DESC;

COMMENT ON VIEW api.jobs_latest IS 'The newest run (greatest start_date) of every job name.';

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'web_anon') THEN
        CREATE ROLE web_anon NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'jobs_writer') THEN
        CREATE ROLE jobs_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticator') THEN
        -- NOINHERIT: the authenticator itself has no rights; it only gets them by switching role per request.
        CREATE ROLE authenticator LOGIN NOINHERIT NOCREATEDB NOCREATEROLE NOSUPERUSER;
    END IF;
END
$$;

COMMENT ON ROLE web_anon IS 'PostgREST''s anonymous role (db-anon-role): reads the jobs API, never writes.';
COMMENT ON ROLE jobs_writer IS 'The JWT role of ETL jobs: reads, starts and ends runs; never deletes.';
COMMENT ON ROLE authenticator IS 'The role PostgREST logs in as; it switches to web_anon or jobs_writer per request.';

GRANT web_anon TO authenticator;
GRANT jobs_writer TO authenticator;

GRANT USAGE ON SCHEMA api TO web_anon, jobs_writer;

-- Revoked first so that applying this file again also undoes a broader grant made by hand.
REVOKE ALL ON api.jobs, api.jobs_latest FROM web_anon, jobs_writer;
REVOKE ALL ON SEQUENCE api.jobs_id_seq FROM web_anon, jobs_writer;

GRANT SELECT ON api.jobs, api.jobs_latest TO web_anon;
GRANT SELECT, INSERT, UPDATE ON api.jobs TO jobs_writer;
GRANT SELECT ON api.jobs_latest TO jobs_writer;
GRANT USAGE ON SEQUENCE api.jobs_id_seq TO jobs_writer;

-- ---------------------------------------------------------------------------------------------------------------
-- Fleet health: every job's latest run and latest success in one request, for `jobutil status`/`check`, the .NET
-- health check and dashboards.
-- ---------------------------------------------------------------------------------------------------------------

-- The runs in progress and the failed runs of a job, each read without touching its other runs.
CREATE INDEX IF NOT EXISTS jobs_in_progress_idx ON api.jobs (name, start_date) WHERE status = 'in_progress';
CREATE INDEX IF NOT EXISTS jobs_error_idx ON api.jobs (name, start_date) WHERE status = 'error';

-- One row per job name, in name order. The recursive part walks jobs_name_start_date_idx as a skip scan: each step
-- is one index probe that finds the next name and, being the first entry of that name, its latest run; no run
-- other than the latest is read. Then, per name, one probe each for the latest success (jobs_watermark_idx), the
-- runs in progress (jobs_in_progress_idx) and the failures since that success (jobs_error_idx). Its cost grows
-- with the number of jobs (and of failures since each job's latest success), not with the number of runs.
--   consecutive_failures   runs that ended in error and started after the latest success (all of them when the job
--                          never succeeded)
--   stalest_heartbeat_at   the oldest heartbeat among the runs in progress (NULL when none of them sent one)
--   last_cursor            the job's cursor: that of its latest successful run that stored one (jobs_cursor_idx)
CREATE OR REPLACE VIEW api.jobs_fleet AS
    WITH RECURSIVE latest AS (
        (SELECT j.name, j.id, j.start_date, j.end_date, j.status, j.message, j.records_processed, j.source, j.destination
         FROM api.jobs j
         ORDER BY j.name, j.start_date DESC, j.id DESC
         LIMIT 1)
        UNION ALL
        SELECT next.*
        FROM latest l
        CROSS JOIN LATERAL (
            SELECT j.name, j.id, j.start_date, j.end_date, j.status, j.message, j.records_processed, j.source, j.destination
            FROM api.jobs j
            WHERE j.name > l.name
            ORDER BY j.name, j.start_date DESC, j.id DESC
            LIMIT 1) next
    )
    SELECT l.name,
           l.id                AS last_run_id,
           l.start_date        AS last_start_date,
           l.end_date          AS last_end_date,
           l.status            AS last_status,
           l.message           AS last_message,
           l.records_processed AS last_records_processed,
           l.source            AS last_source,
           l.destination       AS last_destination,
           success.id          AS last_success_id,
           success.start_date  AS last_success_start_date,
           success.end_date    AS last_success_end_date,
           running.runs_in_progress,
           running.oldest_in_progress_start_date,
           running.stalest_heartbeat_at,
           failures.consecutive_failures,
           reached.cursor      AS last_cursor
    FROM latest l
    LEFT JOIN LATERAL (
        SELECT j.id, j.start_date, j.end_date
        FROM api.jobs j
        WHERE j.name = l.name AND j.status = 'success'
        ORDER BY j.start_date DESC
        LIMIT 1) success ON true
    CROSS JOIN LATERAL (
        SELECT count(*)::integer AS runs_in_progress,
               min(j.start_date) AS oldest_in_progress_start_date,
               min(j.heartbeat_at) AS stalest_heartbeat_at
        FROM api.jobs j
        WHERE j.name = l.name AND j.status = 'in_progress') running
    CROSS JOIN LATERAL (
        SELECT count(*)::integer AS consecutive_failures
        FROM api.jobs j
        WHERE j.name = l.name AND j.status = 'error' AND j.start_date > coalesce(success.start_date, '-infinity')) failures
    LEFT JOIN LATERAL (
        SELECT j.cursor
        FROM api.jobs j
        WHERE j.name = l.name AND j.status = 'success' AND j.cursor IS NOT NULL
        ORDER BY j.start_date DESC, j.id DESC
        LIMIT 1) reached ON true;

COMMENT ON VIEW api.jobs_fleet IS
    'Every job''s latest run, latest success, runs in progress, failures since its latest success and cursor, one row per name.';

REVOKE ALL ON api.jobs_fleet FROM web_anon, jobs_writer;
GRANT SELECT ON api.jobs_fleet TO web_anon, jobs_writer;

-- A running PostgREST (db-channel-enabled, the default) reloads its schema cache on this notification, so columns
-- added above are usable at once; without the reload a request naming them fails with PGRST204. Harmless when no
-- PostgREST listens.
NOTIFY pgrst, 'reload schema';
