using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// The jobs_fleet view on 100,000 runs of 200 jobs is answered from indexes: no run but each job's latest is read to
/// find the jobs, and no table is scanned. (Its time at 1,000 jobs and 1,000,000 runs is measured by the benchmark.)
/// </summary>
public class FleetPlanTests
{
    private const string Database = "fleet_plan";

    private NpgsqlConnection _connection = null!;

    [OneTimeSetUp]
    public async Task LoadAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        await using (var load = new NpgsqlCommand(FleetLoad.Sql(jobs: 200, runs: 100_000), _connection))
        {
            await load.ExecuteNonQueryAsync();
        }

        await using var analyze = new NpgsqlCommand("VACUUM ANALYZE api.jobs", _connection);
        await analyze.ExecuteNonQueryAsync();
    }

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [Test]
    public async Task The_fleet_query_is_served_by_the_indexes()
    {
        // What PostgREST runs for GET /jobs_fleet.
        var plan = await ExplainAsync("SELECT coalesce(json_agg(_postgrest_t), '[]') FROM (SELECT * FROM api.jobs_fleet) _postgrest_t");

        Assert.Multiple(() =>
        {
            Assert.That(plan, Does.Contain("Index Scan using jobs_name_start_date_idx on jobs"), "the skip scan over names, each step the name's latest run\n" + plan);
            Assert.That(plan, Does.Match(@"Index Cond: \(name > "), "each step starts after the previous name\n" + plan);
            Assert.That(plan, Does.Contain("using jobs_watermark_idx on jobs"), "the latest success\n" + plan);
            Assert.That(plan, Does.Contain("using jobs_in_progress_idx on jobs"), "the runs in progress\n" + plan);
            Assert.That(plan, Does.Match(@"(Index Only Scan using|Bitmap Index Scan on) jobs_error_idx"), "the failures since the latest success\n" + plan);
            Assert.That(plan, Does.Contain("using jobs_cursor_idx on jobs"), "the cursor\n" + plan);
            Assert.That(plan, Does.Not.Contain("Seq Scan"), plan);
        });
    }

    [Test]
    public async Task The_view_lists_every_job()
        => Assert.That(await DatabaseErrors.ScalarAsync<long>(_connection, "SELECT count(*) FROM api.jobs_fleet"), Is.EqualTo(200));

    private async Task<string> ExplainAsync(string sql)
    {
        var plan = new List<string>();
        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, _connection);
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }

        return string.Join('\n', plan);
    }
}
