using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JobUtil.Testing;
using JobUtil.Tests.Shared;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// Exactly-once starts on PostgreSQL with db/schema.sql (through <see cref="SqlPostgrest"/>): forty Jobs of one job start
/// two runs each at once while responses are lost after the commit, with and without run_key, at start_date precision 6,
/// 3 and 0; and the run_key column's refusals as FakeJobsApi answers them.
/// </summary>
public class RunKeyTests
{
    private static readonly HttpClient Http = new();

    [Test]
    public async Task With_run_key_every_start_succeeds_and_no_run_is_shared([Values(6, 3, 0)] int precision)
    {
        var database = await CreateAsync($"run_key_{precision}", precision, runKey: true);
        await using var server = SqlPostgrest.Start(database);
        using var lost = new LostResponses(seed: precision, "POST", share: 0.25);
        using var http = new HttpClient(lost);

        var starts = await SameNameStarts.RunAsync(server.Url, http, RunKeyMode.Auto);

        var rows = await StoredAsync(database);
        TestContext.Out.WriteLine($"{lost.Lost} responses lost");
        SameNameStarts.AssertExactlyOnce(starts, rows);
        Assert.Multiple(() =>
        {
            Assert.That(lost.Lost, Is.GreaterThan(0), "some responses were lost");
            Assert.That(starts.Where(s => s.Error is not null).Select(s => s.Error!.Message), Is.Empty, "every start and outcome succeeded");
            Assert.That(rows, Has.Count.EqualTo(SameNameStarts.Jobs * SameNameStarts.RunsPerJob), "one row per start");
        });
    }

    [Test]
    public async Task Without_run_key_no_run_is_shared_and_what_cannot_be_identified_is_left_for_recovery([Values(6, 3, 0)] int precision)
    {
        var database = await CreateAsync($"no_run_key_{precision}", precision, runKey: false);
        await using var server = SqlPostgrest.Start(database);
        using var lost = new LostResponses(seed: precision, "POST", share: 0.25);
        using var http = new HttpClient(lost);

        var starts = await SameNameStarts.RunAsync(server.Url, http, RunKeyMode.Auto);
        await RecoverAsync(database);

        var rows = await StoredAsync(database);
        TestContext.Out.WriteLine($"{lost.Lost} responses lost");
        SameNameStarts.AssertExactlyOnce(starts, rows);
        var failed = starts.Where(s => s.RunId is null).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(lost.Lost, Is.GreaterThan(0), "some responses were lost");
            Assert.That(failed.Select(s => s.Error!.Message), Is.All.Contain("could not be identified").And.All.Contain("run_key").And.All.Contain("db/schema.sql"));
            Assert.That(starts.Where(s => s.RunId is not null && !s.Recorded).Select(s => s.Error!.Message), Is.Empty, "every run a start returned had its outcome recorded");
            if (precision == 6)
            {
                Assert.That(failed, Is.Empty, "a column that keeps microseconds identifies every start by its exact start_date");
            }
        });
    }

    [Test]
    public async Task Without_run_key_at_precision_0_a_lost_start_facing_two_candidates_adopts_neither_and_fails()
    {
        var database = await CreateAsync("two_candidates", 0, runKey: false);
        await using var server = SqlPostgrest.Start(database);
        using var lost = new LostResponses(seed: 1, "POST", share: 1);
        using var http = new HttpClient(lost);
        var now = new DateTimeOffset(2024, 6, 1, 12, 0, 0, 250, TimeSpan.Zero);
        await ExecuteAsync(database, "INSERT INTO api.jobs (name, start_date, status, source, destination) VALUES ('orders', '2024-06-01T12:00:00.25Z', 'in_progress', 'crm', 'warehouse')");
        using var job = new Job("orders", new JobOptions { Url = server.Url, Source = "crm", Destination = "warehouse", RunKey = RunKeyMode.Off, MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, http, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now));

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync())!;

        var rows = await StoredAsync(database);
        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.StartWith("Starting a run of job 'orders' failed: the run could not be identified."));
            Assert.That(error.Message, Does.Contain("runs with ids 1, 2").And.Contain("run_key").And.Contain("db/schema.sql"));
            Assert.That(rows.Select(r => r.Status), Is.EqualTo(new[] { "in_progress", "in_progress" }), "neither candidate is adopted or ended");
        });
    }

    [Test]
    public async Task The_fake_refuses_a_second_row_with_a_key_as_the_unique_index_does()
    {
        const string database = "run_key_parity";
        await ClusterSetUp.CreateSchemaDatabaseAsync(database);
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(database);
        var body = """{"name":"n","start_date":"2024-01-01T00:00:00Z","status":"in_progress","source":"s","destination":"d","run_key":"0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f"}""";
        await PostgrestInsert.InsertAsync(connection, body);
        var postgres = await PostgrestInsert.RefusalOfAsync(connection, body);
        using var fake = FakeJobsApi.Start();
        await PostAsync(fake, body);

        var (status, code, message, details) = await PostAsync(fake, body);

        Assert.Multiple(() =>
        {
            Assert.That(postgres?.SqlState, Is.EqualTo("23505"));
            Assert.That((code, message, details), Is.EqualTo((postgres!.SqlState, postgres.MessageText, postgres.Detail)));
            Assert.That(status, Is.EqualTo(409));
        });
    }

    [TestCase("\"not-a-uuid\"")]
    [TestCase("\"0192F0C17A2B7C3D8E4F5A6B7C8D9E0F\"")]
    [TestCase("\"{0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f}\"")]
    [TestCase("12")]
    public async Task The_fake_reads_a_run_key_as_PostgreSQL_reads_a_uuid(string key)
    {
        var database = $"run_key_value_{Math.Abs(key.GetHashCode(StringComparison.Ordinal)) % 100_000}";
        await ClusterSetUp.CreateSchemaDatabaseAsync(database);
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(database);
        var body = $$"""{"name":"n","start_date":"2024-01-01T00:00:00Z","status":"in_progress","source":"s","destination":"d","run_key":{{key}}}""";
        var postgres = await PostgrestInsert.RefusalOfAsync(connection, body);
        using var fake = FakeJobsApi.Start();

        var (status, code, message, _) = await PostAsync(fake, body);

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(postgres?.SqlState));
            Assert.That(message, Is.EqualTo(postgres?.MessageText));
            Assert.That(status, Is.EqualTo(postgres is null ? 201 : 400));
        });
    }

    /// <summary>A database with db/schema.sql, without run_key if asked, and start_date of the given precision.</summary>
    private static async Task<string> CreateAsync(string database, int precision, bool runKey)
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(database);
        if (!runKey)
        {
            await ExecuteAsync(database, "ALTER TABLE api.jobs DROP COLUMN run_key");
        }

        if (precision < 6)
        {
            // The views read start_date, so they go while its type changes; these tests do not read them.
            await ExecuteAsync(database, $"DROP VIEW api.jobs_latest, api.jobs_fleet; ALTER TABLE api.jobs ALTER COLUMN start_date TYPE timestamptz({precision})");
        }

        return database;
    }

    /// <summary>Recovery from cron, as db/schema.sql gives it, an hour later: every run still in progress is ended with the reason.</summary>
    private static Task RecoverAsync(string database)
        => ExecuteAsync(database, """
            UPDATE api.jobs
               SET status = 'error', end_date = greatest(now(), start_date),
                   message = format('abandoned: last seen %s on %s', coalesce(heartbeat_at, start_date), coalesce(host, 'an unknown host'))
             WHERE status = 'in_progress'
               AND (heartbeat_at < now() + interval '1 hour' OR (heartbeat_at IS NULL AND start_date < now() + interval '1 hour'))
            """);

    private static async Task<List<SameNameStarts.StoredRun>> StoredAsync(string database)
    {
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(database);
        await using var command = new NpgsqlCommand("SELECT id, status, message, records_processed FROM api.jobs ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<SameNameStarts.StoredRun>();
        while (await reader.ReadAsync())
        {
            rows.Add(new SameNameStarts.StoredRun(reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3)));
        }

        return rows;
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = await ClusterSetUp.Cluster.OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<(int Status, string? Code, string? Message, string? Details)> PostAsync(FakeJobsApi fake, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, fake.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("Prefer", "return=representation");
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode)
        {
            return ((int)response.StatusCode, null, null, null);
        }

        using var error = JsonDocument.Parse(text);
        string? Text(string name) => error.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return ((int)response.StatusCode, Text("code"), Text("message"), Text("details"));
    }
}
