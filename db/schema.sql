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
-- raises JobAlreadyRunningException without running the job's work. It is off by default because a run that
-- crashed before recording its outcome stays in_progress and then blocks every later run of that job until its
-- row is ended by hand (UPDATE api.jobs SET status = 'error', end_date = now() WHERE id = ...).
-- To enable it, run this statement once (it is safe to run again):
-- CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_in_progress_per_name ON api.jobs (name) WHERE status = 'in_progress';

-- The newest run of every job, readable anonymously (a dashboard of the last outcome of each job).
CREATE OR REPLACE VIEW api.jobs_latest AS
    SELECT DISTINCT ON (name) id, name, start_date, end_date, message, status, records_processed, source, destination
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

-- When a running job last said it was alive, and where it runs. NULL for runs of clients that do not send them.
ALTER TABLE api.jobs ADD COLUMN IF NOT EXISTS heartbeat_at timestamptz;
ALTER TABLE api.jobs ADD COLUMN IF NOT EXISTS host text;
COMMENT ON COLUMN api.jobs.heartbeat_at IS 'When the run in progress last said it was alive; NULL if its client sends no heartbeats.';
COMMENT ON COLUMN api.jobs.host IS 'Where the run runs (host name), when its client says; NULL otherwise.';

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
           failures.consecutive_failures
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
        WHERE j.name = l.name AND j.status = 'error' AND j.start_date > coalesce(success.start_date, '-infinity')) failures;

COMMENT ON VIEW api.jobs_fleet IS
    'Every job''s latest run, latest success, runs in progress and failures since its latest success, one row per name.';

REVOKE ALL ON api.jobs_fleet FROM web_anon, jobs_writer;
GRANT SELECT ON api.jobs_fleet TO web_anon, jobs_writer;
