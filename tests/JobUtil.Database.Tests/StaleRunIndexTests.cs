using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>The stale-run lookup reads only in_progress rows, through jobs_stale_idx, however long the table's history.</summary>
public class StaleRunIndexTests
{
    private const string Database = "stale_index";

    // What PostgREST runs for GET /jobs?status=eq.in_progress&or=(heartbeat_at.lt.X,and(heartbeat_at.is.null,start_date.lt.X)).
    private const string StaleSql = """
        SELECT id FROM api.jobs
        WHERE status = 'in_progress' AND (heartbeat_at < $1 OR (heartbeat_at IS NULL AND start_date < $1))
        """;

    [Test]
    public async Task The_stale_run_lookup_is_served_by_the_stale_index()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        await using (var load = new NpgsqlCommand("""
            INSERT INTO api.jobs (name, start_date, end_date, status, source, destination, heartbeat_at)
            SELECT 'job_' || (i % 100), timestamptz '2020-01-01T00:00:00Z' + i * interval '1 minute',
                   CASE WHEN i % 1000 = 0 THEN NULL ELSE timestamptz '2020-01-01T00:00:00Z' + i * interval '1 minute' END,
                   CASE WHEN i % 1000 = 0 THEN 'in_progress' ELSE 'success' END, 's', 'd',
                   CASE WHEN i % 2000 = 0 THEN timestamptz '2020-01-01T00:00:00Z' + i * interval '1 minute' END
            FROM generate_series(1, 50000) AS i;
            ANALYZE api.jobs;
            """, connection))
        {
            await load.ExecuteNonQueryAsync();
        }

        var plan = new List<string>();
        await using (var explain = new NpgsqlCommand("EXPLAIN " + StaleSql, connection) { Parameters = { new() { Value = new DateTimeOffset(2020, 2, 1, 0, 0, 0, TimeSpan.Zero) } } })
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        var text = string.Join('\n', plan);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("jobs_stale_idx"), text);
            Assert.That(text, Does.Not.Contain("Seq Scan"), text);
        });
    }
}
