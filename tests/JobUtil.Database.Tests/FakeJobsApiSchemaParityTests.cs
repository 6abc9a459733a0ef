using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JobUtil.Testing;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>Sends a request to a FakeJobsApi as a client does, and reads the answer.</summary>
internal static class FakeClient
{
    private static readonly HttpClient Http = new();

    public static async Task<(int Status, string Body)> SendAsync(FakeJobsApi fake, HttpMethod method, string query, string? body = null)
    {
        using var request = new HttpRequestMessage(method, fake.Url + query);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("Prefer", "return=representation");
        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static string? Text(string errorBody, string name)
    {
        using var error = JsonDocument.Parse(errorBody);
        return error.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}

/// <summary>FakeJobsApi refuses changes to finished runs exactly as the jobs_final_state trigger does: same code, message, details and hint.</summary>
public class FinalStateParityTests
{
    private const string Database = "final_state_parity";
    private const string Finished =
        """{"name":"nightly","start_date":"2024-05-01T00:00:00Z","end_date":"2024-05-01T01:00:00.25Z","message":"done","status":"success","records_processed":503,"source":"s","destination":"d","heartbeat_at":"2024-05-01T00:30:00Z","host":"etl-1"}""";

    private NpgsqlConnection _connection = null!;
    private FakeJobsApi _fake = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        await DatabaseErrors.SqlStateOfAsync(_connection, "SET TimeZone = 'UTC'");
        _fake = FakeJobsApi.Start();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _fake?.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [SetUp]
    public async Task SeedAsync()
    {
        _fake.Reset();
        await DatabaseErrors.SqlStateOfAsync(_connection, "TRUNCATE api.jobs RESTART IDENTITY");
        await PostgrestInsert.InsertAsync(_connection, Finished);
        Assert.That((await FakeClient.SendAsync(_fake, HttpMethod.Post, "", Finished)).Status, Is.EqualTo(201));
    }

    [TestCase("""{"status":"error"}""")]
    [TestCase("""{"status":"error","end_date":"2024-05-02T00:00:00Z","message":"late","records_processed":0}""")]
    [TestCase("""{"start_date":"2024-04-30T00:00:00Z"}""")]
    [TestCase("""{"end_date":null}""")]
    [TestCase("""{"records_processed":null}""")]
    [TestCase("""{"heartbeat_at":"2024-05-01T02:00:00Z","host":"etl-2"}""")]
    [TestCase("""{"cursor":"moved after the outcome"}""")]
    [TestCase("""{"cursor":null}""")]
    [TestCase("""{"status":"bogus"}""")]
    [TestCase("""{"status":"success","end_date":"2024-05-01T01:00:00.25+00:00","records_processed":503,"message":"done"}""")]
    [TestCase("""{"end_date":"2024-05-01T01:00:00.2500004Z"}""")]
    public async Task The_fake_answers_an_update_of_a_finished_run_as_PostgreSQL_does(string body)
    {
        PostgresException? postgres = null;
        try
        {
            await PostgrestUpdate.UpdateAsync(_connection, "jobs.id = 1", body);
        }
        catch (PostgresException e)
        {
            postgres = e;
        }

        var (status, answer) = await FakeClient.SendAsync(_fake, HttpMethod.Patch, "?id=eq.1", body);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(postgres is null ? 200 : 400), answer);
            if (postgres is not null)
            {
                Assert.That(FakeClient.Text(answer, "code"), Is.EqualTo(postgres.SqlState));
                Assert.That(FakeClient.Text(answer, "message"), Is.EqualTo(postgres.MessageText));
                Assert.That(FakeClient.Text(answer, "details"), Is.EqualTo(postgres.Detail));
                Assert.That(FakeClient.Text(answer, "hint"), Is.EqualTo(postgres.Hint));
            }
        });
    }
}

/// <summary>FakeJobsApi's or=/and=/not.or= trees select the rows that the equivalent WHERE clause selects in PostgreSQL.</summary>
public class LogicalFilterParityTests
{
    private const string Database = "logic_parity";
    private NpgsqlConnection _connection = null!;
    private FakeJobsApi _fake = null!;

    private static readonly string[] Rows =
    [
        """{"name":"a","start_date":"2024-05-01T00:00:00Z","status":"in_progress","source":"s","destination":"d","heartbeat_at":"2024-05-01T00:10:00Z","host":"h1"}""",
        """{"name":"b","start_date":"2024-05-01T00:00:00Z","status":"in_progress","source":"s","destination":"d"}""",
        """{"name":"c","start_date":"2024-05-01T00:00:00Z","status":"in_progress","source":"s","destination":"d","heartbeat_at":"2024-05-01T02:00:00Z","host":"h,2"}""",
        """{"name":"d","start_date":"2024-05-01T01:50:00Z","status":"in_progress","source":"s","destination":"d"}""",
        """{"name":"e","start_date":"2024-05-01T00:00:00Z","end_date":"2024-05-01T00:10:00Z","status":"success","records_processed":4,"source":"s","destination":"d"}""",
        """{"name":"f","start_date":"2024-05-01T00:00:00Z","end_date":"2024-05-01T00:20:00Z","status":"error","source":"s","destination":"d","host":"h1"}""",
    ];

    private static IEnumerable<TestCaseData> Cases =>
    [
        Case("status=eq.in_progress&or=(heartbeat_at.lt.2024-05-01T01:00:00Z,and(heartbeat_at.is.null,start_date.lt.2024-05-01T01:00:00Z))",
             "status = 'in_progress' AND (heartbeat_at < '2024-05-01T01:00:00Z' OR (heartbeat_at IS NULL AND start_date < '2024-05-01T01:00:00Z'))"),
        Case("or=(heartbeat_at.lt.2024-05-01T01:00:00Z)", "(heartbeat_at < '2024-05-01T01:00:00Z')"),
        Case("not.or=(heartbeat_at.lt.2024-05-01T01:00:00Z,name.eq.b)", "NOT (heartbeat_at < '2024-05-01T01:00:00Z' OR name = 'b')"),
        Case("not.and=(host.eq.h1,status.neq.success)", "NOT (host = 'h1' AND status <> 'success')"),
        Case("and=(or(name.eq.a,name.eq.f),not.and(host.is.null,id.gt.0))", "((name = 'a' OR name = 'f') AND NOT (host IS NULL AND id > 0))"),
        Case("or=(host.eq.\"h,2\",records_processed.not.in.(1,2))", "(host = 'h,2' OR records_processed NOT IN (1, 2))"),
        Case("or=(host.like.h*,name.in.(b,d))&status=not.eq.error", "(host LIKE 'h%' OR name IN ('b', 'd')) AND status <> 'error'"),
        Case("or=(end_date.gte.2024-05-01T00:15:00Z,and(end_date.is.null,heartbeat_at.is.null))", "(end_date >= '2024-05-01T00:15:00Z' OR (end_date IS NULL AND heartbeat_at IS NULL))"),
    ];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        _fake = FakeJobsApi.Start();
        foreach (var row in Rows)
        {
            await PostgrestInsert.InsertAsync(_connection, row);
            Assert.That((await FakeClient.SendAsync(_fake, HttpMethod.Post, "", row)).Status, Is.EqualTo(201));
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _fake?.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task The_fake_selects_the_rows_PostgreSQL_selects(string query, string where)
    {
        var expected = await DatabaseErrors.ScalarAsync<string>(_connection, $"SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM api.jobs WHERE {where}");

        var (status, body) = await FakeClient.SendAsync(_fake, HttpMethod.Get, "?select=id&order=id&" + query);

        Assert.That(status, Is.EqualTo(200), body);
        using var rows = JsonDocument.Parse(body);
        var selected = string.Join(',', rows.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        Assert.That(selected, Is.EqualTo(expected));
        Assert.That(expected, Is.Not.Empty, "a case that selects nothing tells little");
    }

    private static TestCaseData Case(string query, string where) => new TestCaseData(query, where).SetArgDisplayNames(query);
}

/// <summary>
/// FakeJobsApi's lower-precision start_date and TIMESTAMP (without time zone) options store and render values as PostgreSQL
/// does with such columns (rendered by to_json, as PostgREST's json_agg renders them).
/// </summary>
public class ColumnTypeParityTests
{
    private static readonly string[] Sent =
    [
        "2024-06-01T12:00:00Z",
        "2024-06-01T12:00:00.123456Z",
        "2024-06-01T12:00:00.1235Z",
        "2024-06-01T12:00:00.9995+00:00",
        "2024-06-01T12:00:00.5-05:00",
        "2024-06-01T12:00:00.4999995Z",
        "1999-12-31T23:59:59.9985Z",
        "1999-12-31T23:59:58.5Z",
        "2024-06-01 07:00:00",
    ];

    [TestCase("timestamptz(3)", 3)]
    [TestCase("timestamptz(0)", 0)]
    [TestCase("timestamptz", 6)]
    public async Task A_lower_precision_start_date_is_rounded_and_rendered_as_PostgreSQL_does(string type, int precision)
    {
        var database = "precision_" + precision;
        await using var connection = await CreateTableAsync(database, startDate: type, timestamps: "timestamptz", zone: "UTC");
        using var fake = FakeJobsApi.Start(new FakeJobsApiOptions { StartDatePrecision = precision });

        await AssertRenderedAlikeAsync(connection, fake);

        // The exact microseconds sent find the row only where they were kept.
        var id = await PostgrestInsert.InsertAsync(connection, Body("2024-06-01T12:00:00.123456Z"));
        await FakeClient.SendAsync(fake, HttpMethod.Post, "", Body("2024-06-01T12:00:00.123456Z"));
        var found = await DatabaseErrors.ScalarAsync<long>(connection, $"SELECT count(*) FROM api.jobs WHERE id = {id} AND start_date = '2024-06-01T12:00:00.123456Z'");
        var (_, body) = await FakeClient.SendAsync(fake, HttpMethod.Get, $"?select=id&id=eq.{id}&start_date=eq.2024-06-01T12:00:00.123456Z");
        Assert.That(body == "[]" ? 0L : 1L, Is.EqualTo(found));
    }

    [TestCase("UTC", "UTC")]
    [TestCase("America/New_York", "America/New_York")]
    public async Task Timestamp_columns_keep_the_wall_time_and_render_no_offset_as_PostgreSQL_does(string postgresZone, string zoneId)
    {
        var database = "timestamp_" + postgresZone.Replace('/', '_').ToLowerInvariant();
        await using var connection = await CreateTableAsync(database, startDate: "timestamp", timestamps: "timestamp", zone: postgresZone);
        using var fake = FakeJobsApi.Start(new FakeJobsApiOptions { TimestampsWithoutTimeZone = true, TimeZone = TimeZoneInfo.FindSystemTimeZoneById(zoneId) });

        await AssertRenderedAlikeAsync(connection, fake);
    }

    private static async Task AssertRenderedAlikeAsync(NpgsqlConnection connection, FakeJobsApi fake)
    {
        foreach (var sent in Sent)
        {
            var id = await PostgrestInsert.InsertAsync(connection, Body(sent));
            var postgres = await DatabaseErrors.ScalarAsync<string>(connection, $"SELECT json_agg(json_build_object('start_date', start_date, 'end_date', end_date))::text FROM api.jobs WHERE id = {id}");

            var (status, body) = await FakeClient.SendAsync(fake, HttpMethod.Post, "?select=start_date,end_date", Body(sent));

            Assert.That(status, Is.EqualTo(201), body);
            Assert.That(Normalize(body), Is.EqualTo(Normalize(postgres)), $"start_date sent as {sent}");
        }
    }

    /// <summary>json_build_object spaces its keys differently from row_to_json; the values are what is compared.</summary>
    private static string Normalize(string json)
    {
        using var document = JsonDocument.Parse(json);
        var row = document.RootElement[0];
        return $"{row.GetProperty("start_date").GetString()} | {row.GetProperty("end_date").GetString()}";
    }

    private static string Body(string start)
        => $$"""{"name":"n","start_date":"{{start}}","end_date":"2024-06-02T12:30:00.654321Z","status":"success","source":"s","destination":"d"}""";

    /// <summary>A database whose api.jobs has the given start_date type and other timestamp type, in the given zone.</summary>
    private static async Task<NpgsqlConnection> CreateTableAsync(string database, string startDate, string timestamps, string zone)
    {
        await ClusterSetUp.Cluster.CreateDatabaseAsync(database);
        var connection = await ClusterSetUp.Cluster.OpenAsync(database);
        await using var create = new NpgsqlCommand($"""
            SET TimeZone = '{zone}';
            CREATE SCHEMA api;
            CREATE TABLE api.jobs (
                id                SERIAL PRIMARY KEY,
                name              TEXT NOT NULL,
                start_date        {startDate} NOT NULL,
                end_date          {timestamps},
                message           TEXT,
                status            TEXT NOT NULL,
                records_processed INTEGER,
                source            TEXT NOT NULL,
                destination       TEXT NOT NULL,
                heartbeat_at      {timestamps},
                host              TEXT
            );
            """, connection);
        await create.ExecuteNonQueryAsync();
        return connection;
    }
}
