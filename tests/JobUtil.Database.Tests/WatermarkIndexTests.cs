using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// The watermark query that clients send for every run, on a table of 100,000 runs of 100 jobs: answered from the
/// watermark index without reading other jobs' rows, and with the greatest successful start_date.
/// </summary>
public class WatermarkIndexTests
{
    private const string Database = "watermark";
    private const int Rows = 100_000;
    private const int Names = 100;

    // What PostgREST runs for GET /jobs?select=start_date&name=eq.X&status=eq.success&order=start_date.desc&limit=1.
    private const string WatermarkSql = "SELECT start_date FROM api.jobs WHERE name = $1 AND status = 'success' ORDER BY start_date DESC LIMIT 1";

    private NpgsqlConnection _connection = null!;

    [OneTimeSetUp]
    public async Task LoadAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        // Start dates are a permutation of the row numbers (7919 is prime to 100,000), so neither id order nor insert
        // order is start order; a third of the runs succeeded, and a job's newest run is often not a success.
        await using (var load = new NpgsqlCommand($"""
            INSERT INTO api.jobs (name, start_date, end_date, status, records_processed, source, destination)
            SELECT 'job_' || (i % {Names}),
                   started,
                   CASE WHEN i % 3 = 2 THEN NULL ELSE started + (i % 17) * interval '1 minute' END,
                   (ARRAY['success', 'error', 'in_progress'])[i % 3 + 1],
                   i % 1000, 'inventory', 'warehouse'
            FROM generate_series(1, {Rows}) AS i,
                 LATERAL (SELECT timestamptz '2020-01-01T00:00:00Z' + ((i::bigint * 7919) % {Rows}) * interval '1 minute' AS started) s
            """, _connection))
        {
            await load.ExecuteNonQueryAsync();
        }

        await using var analyze = new NpgsqlCommand("ANALYZE api.jobs", _connection);
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
    public async Task The_table_holds_the_runs_of_every_job()
    {
        Assert.Multiple(async () =>
        {
            Assert.That(await DatabaseErrors.ScalarAsync<long>(_connection, "SELECT count(*) FROM api.jobs"), Is.EqualTo(Rows));
            Assert.That(await DatabaseErrors.ScalarAsync<long>(_connection, "SELECT count(DISTINCT name) FROM api.jobs"), Is.EqualTo(Names));
        });
    }

    [TestCase("job_0")]
    [TestCase("job_42")]
    [TestCase("no_such_job")]
    public async Task The_watermark_query_is_served_by_the_watermark_index(string name)
    {
        var plan = new List<string>();
        await using (var explain = new NpgsqlCommand("EXPLAIN " + WatermarkSql, _connection) { Parameters = { new() { Value = name } } })
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
            Assert.That(text, Does.Contain("using jobs_watermark_idx on jobs"), text);
            Assert.That(text, Does.Match(@"Index Cond: \(name = "), text);
            Assert.That(text, Does.Not.Contain("Seq Scan"), text);
            Assert.That(text, Does.Not.Contain("Sort"), "the index already holds the runs in the order asked for\n" + text);
        });
    }

    [Test]
    public async Task The_watermark_of_every_job_is_its_greatest_successful_start_date()
    {
        var runs = new List<(string Name, string Status, DateTime Start, int Id)>(Rows);
        await using (var all = new NpgsqlCommand("SELECT name, status, start_date, id FROM api.jobs", _connection))
        await using (var reader = await all.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                runs.Add((reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.GetInt32(3)));
            }
        }

        var expected = runs.Where(r => r.Status == "success").GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Max(r => r.Start));
        var answered = new Dictionary<string, DateTime>();
        foreach (var name in runs.Select(r => r.Name).Distinct())
        {
            await using var query = new NpgsqlCommand(WatermarkSql, _connection) { Parameters = { new() { Value = name } } };
            answered[name] = (DateTime)(await query.ExecuteScalarAsync())!;
        }

        // The data must tell a right query from the usual wrong ones, or this test proves nothing.
        var newestRun = runs.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Max(r => r.Start));
        var newestSuccessById = runs.Where(r => r.Status == "success").GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Id).Start);
        Assert.Multiple(() =>
        {
            Assert.That(expected, Has.Count.EqualTo(Names));
            Assert.That(expected.Count(e => newestRun[e.Key] != e.Value), Is.GreaterThan(Names / 2), "jobs whose newest run is not a success");
            Assert.That(expected.Count(e => newestSuccessById[e.Key] != e.Value), Is.GreaterThan(Names / 2), "jobs whose last inserted success is not the latest");
            Assert.That(answered, Is.EquivalentTo(expected));
        });
    }
}
