namespace JobUtil.Database.Tests;

/// <summary>
/// A large fleet in one statement, the same for the plan test and the benchmark: <c>runs</c> runs spread evenly over
/// <c>jobs</c> jobs, start dates a permutation of the row numbers (one minute apart) so insert order is not start
/// order; about 5 % of runs failed, a few jobs never succeeded, and a few of the newest runs are in progress.
/// </summary>
internal static class FleetLoad
{
    public static string Sql(int jobs, int runs) => $"""
        INSERT INTO api.jobs (name, start_date, end_date, status, records_processed, source, destination)
        SELECT 'job_' || lpad((i % {jobs})::text, 4, '0'),
               started,
               CASE WHEN s.status = 'in_progress' THEN NULL ELSE started + (i % 17) * interval '1 minute' END,
               s.status, i % 1000, 'inventory', 'warehouse'
        FROM generate_series(1, {runs}) AS i,
             LATERAL (SELECT timestamptz '2020-01-01T00:00:00Z' + ((i::bigint * 7919) % {runs}) * interval '1 minute' AS started) t,
             LATERAL (SELECT CASE WHEN i % {jobs} < 5 THEN 'error'
                                  WHEN ((i::bigint * 7919) % {runs}) >= {runs} - {jobs} AND i % 4 = 0 THEN 'in_progress'
                                  WHEN (i::bigint * 2654435761) % 97 < 5 THEN 'error'
                                  ELSE 'success' END AS status) s
        """;
}
