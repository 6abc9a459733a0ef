using JobUtil.Testing;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// Cursors on db/schema.sql: Job.LastCursorAsync, sent to PostgreSQL the way PostgREST runs its GET, answers what it
/// answers on FakeJobsApi seeded with the same runs; the query is one probe of jobs_cursor_idx; a table created before
/// the column keeps its rows (without a cursor) once db/schema.sql is applied again; and without the column the read is
/// an error naming it and the schema file.
/// </summary>
public class CursorTests
{
    private const string Database = "cursors";
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HttpClient Http = new();

    private NpgsqlConnection _connection = null!;
    private SqlPostgrest _server = null!;
    private FakeJobsApi _fake = null!;

    private static IEnumerable<TestCaseData> Histories =>
    [
        History("no runs", expected: null),
        History("old rows without a cursor", expected: null, Run("success", T0), Run("success", T0.AddHours(1))),
        History("the greatest start_date wins, not the last written", expected: "3",
            Run("success", T0.AddHours(2), "2"), Run("success", T0.AddHours(3), "3"), Run("success", T0.AddHours(1), "1")),
        History("failed and running runs do not move it", expected: "good",
            Run("success", T0, "good"), Run("error", T0.AddHours(1), "failed"), Run("in_progress", T0.AddHours(2), "running")),
        History("a later success without one keeps the last stored", expected: "stored",
            Run("success", T0, "stored"), Run("success", T0.AddHours(1))),
        History("ties on start_date go to the greatest id", expected: "third",
            Run("success", T0, "first"), Run("success", T0, "second"), Run("success", T0, "third"), Run("success", T0.AddHours(-1), "older")),
        History("a timestamp cursor", expected: JobCursor.FromTimestamp(T0.AddTicks(1_234_560)),
            Run("success", T0, JobCursor.FromTimestamp(T0.AddTicks(1_234_560)))),
        History("an integer cursor", expected: JobCursor.FromInt64(long.MinValue),
            Run("success", T0, JobCursor.FromInt64(long.MinValue))),
        History("a cursor with & # % quotes and Unicode", expected: "a&b=c #2 100% it's \"q\" Müller 名前 😀",
            Run("success", T0, "a&b=c #2 100% it's \"q\" Müller 名前 😀")),
    ];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        _server = SqlPostgrest.Start(Database);
        _fake = FakeJobsApi.Start();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _fake?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [SetUp]
    public void EmptyFake() => _fake.Reset();

    [TestCaseSource(nameof(Histories))]
    public async Task The_cursor_read_from_PostgreSQL_is_the_one_FakeJobsApi_reads(FakeJobRow[] history, string? expected)
    {
        const string name = "load & copy #1";
        var rows = history.Select(r => r with { Name = name }).Append(Run("success", T0.AddDays(1), "another job's") with { Name = "load " }).ToList();
        await FleetRuns.InsertAsync(_connection, rows);
        _fake.Seed([.. rows]);

        var postgres = await ReadCursorAsync(_server.Url, name);
        var emulated = await ReadCursorAsync(_fake.Url, name);

        Assert.Multiple(() =>
        {
            Assert.That(postgres, Is.EqualTo(expected), "PostgreSQL");
            Assert.That(emulated, Is.EqualTo(postgres), "FakeJobsApi");
        });
    }

    [Test]
    public async Task The_cursor_query_is_one_probe_of_the_cursor_index()
    {
        await using (var load = new NpgsqlCommand(
            """
            TRUNCATE api.jobs RESTART IDENTITY;
            INSERT INTO api.jobs (name, start_date, end_date, status, source, destination, cursor)
            SELECT 'job_' || (i % 50), started, started, (ARRAY['success', 'error'])[i % 2 + 1], 's', 'd',
                   CASE WHEN i % 5 = 0 THEN NULL ELSE i::text END
            FROM generate_series(1, 20000) AS i,
                 LATERAL (SELECT timestamptz '2024-01-01T00:00:00Z' + i * interval '1 minute' AS started) s;
            ANALYZE api.jobs;
            """,
            _connection))
        {
            await load.ExecuteNonQueryAsync();
        }

        // What PostgREST runs for the GET of Job.LastCursorAsync.
        var plan = new List<string>();
        await using var explain = new NpgsqlCommand(
            "EXPLAIN SELECT cursor FROM api.jobs WHERE name = 'job_7' AND status = 'success' AND NOT (cursor IS NULL) ORDER BY start_date DESC, id DESC LIMIT 1",
            _connection);
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
            Assert.That(text, Does.Contain("Index Scan using jobs_cursor_idx on jobs"), text);
            Assert.That(text, Does.Not.Contain("Sort").And.Not.Contain("Seq Scan"), text);
        });
    }

    [Test]
    public async Task A_table_created_before_the_column_gains_it_when_the_schema_is_applied_again_and_its_rows_have_no_cursor()
    {
        const string database = "cursor_upgrade";
        await ClusterSetUp.Cluster.CreateDatabaseAsync(database);
        await using (var connection = await ClusterSetUp.Cluster.OpenAsync(database))
        {
            await DatabaseErrors.SqlStateOfAsync(connection, FleetRuns.SeedTableSql);
            await FleetRuns.InsertAsync(connection, [Run("success", T0) with { Name = "nightly" }]);
        }

        await using var server = SqlPostgrest.Start(database);
        var before = Assert.ThrowsAsync<JobsApiException>(() => ReadCursorAsync(server.Url, "nightly"));

        await ClusterSetUp.ApplySchemaAsync(database);

        Assert.Multiple(async () =>
        {
            Assert.That(before!.Message, Does.Contain("no cursor column").And.Contain("db/schema.sql"));
            Assert.That(before.ErrorCode, Is.EqualTo("42703"));
            Assert.That(await ReadCursorAsync(server.Url, "nightly"), Is.Null);
            Assert.That(await NewJob(server.Url, "nightly").MostRecentAsync(), Is.EqualTo(T0));
        });
    }

    private static async Task<string?> ReadCursorAsync(string url, string name)
    {
        using var job = NewJob(url, name);
        return await job.LastCursorAsync();
    }

    private static Job NewJob(string url, string name)
        => new(name, new JobOptions { Url = url, Source = "s", Destination = "d", MaxRetryAttempts = 0 }, Http);

    private static FakeJobRow Run(string status, DateTimeOffset started, string? cursor = null) => new()
    {
        Name = "nightly",
        Status = status,
        StartDate = started,
        EndDate = status == "in_progress" ? null : started.AddMinutes(5),
        Source = "s",
        Destination = "d",
        Cursor = cursor,
    };

    private static TestCaseData History(string what, string? expected, params FakeJobRow[] rows)
        => new TestCaseData(rows, expected).SetArgDisplayNames(what);
}
