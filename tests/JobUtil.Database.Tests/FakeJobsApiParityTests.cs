using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JobUtil.Testing;
using Npgsql;

namespace JobUtil.Database.Tests;

/// <summary>
/// FakeJobsApi stands in for PostgREST over db/schema.sql in users' tests, so it must refuse the same bad rows with
/// the same codes: each body is inserted into PostgreSQL the way PostgREST inserts it, POSTed to the fake, and the
/// two answers are compared case by case.
/// </summary>
public class FakeJobsApiParityTests
{
    private const string Database = "fake_parity";

    private static readonly HttpClient Http = new();
    private NpgsqlConnection _connection = null!;
    private FakeJobsApi _fake = null!;

    private static IEnumerable<TestCaseData> Cases
        => RejectedRows.All.Select(c => new TestCaseData(c.Body).SetArgDisplayNames(c.Name))
            .Append(new TestCaseData(RejectedRows.ValidBody).SetArgDisplayNames("valid row"));

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _connection = await ClusterSetUp.Cluster.OpenAsync(Database);
        await using var guard = new NpgsqlCommand(SchemaFile.OverlapGuardStatement, _connection);
        await guard.ExecuteNonQueryAsync();
        _fake = FakeJobsApi.Start(new FakeJobsApiOptions { OneRunInProgressPerName = true });
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
    public void EmptyFake() => _fake.Reset();

    [TestCaseSource(nameof(Cases))]
    public async Task The_fake_answers_a_row_with_the_code_PostgreSQL_answered(string body)
    {
        var postgres = await PostgrestInsert.RefusalOfAsync(_connection, body);

        var (status, code, message) = await PostAsync(body);

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(postgres?.SqlState), $"PostgreSQL answered {postgres?.SqlState ?? "with the inserted row"}; the fake answered {status} {code}");
            Assert.That(status, Is.EqualTo(postgres is null ? 201 : 400), "PostgREST's status for the answer");
            Assert.That(message, Is.EqualTo(postgres?.MessageText), "the error's message");
        });
    }

    [Test]
    public async Task The_fake_refuses_a_second_run_in_progress_as_the_enabled_guard_does()
    {
        string? postgres;
        await using (var transaction = await _connection.BeginTransactionAsync())
        {
            await PostgrestInsert.InsertAsync(_connection, RejectedRows.ValidBody);
            var second = Assert.ThrowsAsync<PostgresException>(() => PostgrestInsert.InsertAsync(_connection, RejectedRows.ValidBody));
            postgres = second?.SqlState;
            await transaction.RollbackAsync();
        }

        await PostAsync(RejectedRows.ValidBody);
        var (status, code, _) = await PostAsync(RejectedRows.ValidBody);

        Assert.Multiple(() =>
        {
            Assert.That(postgres, Is.EqualTo("23505"));
            Assert.That(code, Is.EqualTo(postgres));
            Assert.That(status, Is.EqualTo(409));
        });
    }

    /// <summary>POSTs a body as a client does; the status, and the error's code and message (null when the row was inserted).</summary>
    private async Task<(int Status, string? Code, string? Message)> PostAsync(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _fake.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("Prefer", "return=representation");
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode)
        {
            return ((int)response.StatusCode, null, null);
        }

        using var error = JsonDocument.Parse(text);
        return ((int)response.StatusCode, Text(error.RootElement, "code"), Text(error.RootElement, "message"));
    }

    private static string? Text(JsonElement error, string name)
        => error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
