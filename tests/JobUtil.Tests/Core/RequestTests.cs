using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WireMock;

namespace JobUtil.Tests.Core;

/// <summary>The exact requests each method sends: method, path, query, headers and JSON body.</summary>
public class RequestTests : ServerFixture
{
    // 700 ns past the microsecond: the client must drop it, as PostgreSQL keeps microseconds.
    private static readonly DateTimeOffset StartTime = new DateTimeOffset(2024, 3, 1, 2, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);

    [TestCase("/legacy-scripts/jobs")]
    [TestCase("/legacy-scripts/jobs/")]
    [TestCase("/jobs")]
    [TestCase("/jobs/")]
    public async Task MostRecent_sends_one_GET_to_the_table_under_any_path_prefix_with_or_without_a_trailing_slash(string path)
    {
        Server.Given(WireMock.RequestBuilders.Request.Create().UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithBody("[]"));
        using var job = new Job("my_etl_job", Server.Url + path, "inventory_system", "data_warehouse");

        await job.MostRecentAsync();

        var request = Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("GET"));
            Assert.That(request.Path, Is.EqualTo(path.TrimEnd('/')));
            Assert.That(request.RawQuery, Is.EqualTo("?select=start_date&name=eq.my_etl_job&status=eq.success&order=start_date.desc&limit=1"));
        });
    }

    [Test]
    public async Task MostRecent_returns_the_start_date_of_the_row_and_null_when_there_is_none()
    {
        Answer("GET", 200, """[{"start_date":"2019-06-20T22:18:46+00:00"}]""");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");
        Assert.That(await job.MostRecentAsync(), Is.EqualTo(new DateTimeOffset(2019, 6, 20, 22, 18, 46, TimeSpan.Zero)));

        Server.Reset();
        Answer("GET", 200, "[]");
        Assert.That(await job.MostRecentAsync(), Is.Null);
    }

    [Test]
    public async Task A_GET_with_a_token_sends_Accept_and_the_bearer_token_and_no_body_headers()
    {
        Answer("GET", 200, "[]");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse", auth: Token);

        await job.MostRecentAsync();

        var request = Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(Header(request, "Accept"), Is.EqualTo("application/json"));
            Assert.That(Header(request, "Authorization"), Is.EqualTo("Bearer " + Token));
            Assert.That(Header(request, "Prefer"), Is.Null);
            Assert.That(Header(request, "Content-Type"), Is.Null);
        });
    }

    [Test]
    public async Task Without_a_token_no_Authorization_header_is_sent_on_any_request()
    {
        Answer("GET", 200, "[]");
        Answer("POST", 201, "[" + Row(7) + "]");
        Answer("PATCH", 200, "[" + Row(7, status: "success", endDate: "2024-03-01T02:01:00+00:00") + "]");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");

        await job.MostRecentAsync();
        await job.StartAsync();
        await job.ResultAsync(JobStatus.Success);

        Assert.That(Requests, Has.Count.EqualTo(3));
        Assert.That(Requests.Select(r => Header(r, "Authorization")), Is.All.Null);
    }

    [Test]
    public async Task Start_POSTs_the_new_run_with_a_UTC_microsecond_start_date_from_the_clock_and_returns_the_server_row()
    {
        Answer("POST", 201, "[" + Row(42, startDate: "2024-03-01T02:00:00.123456+00:00") + "]");
        var clock = new FakeTimeProvider(StartTime);
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(Token), http, clock);

        var run = await job.StartAsync();

        var request = Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Path, Is.EqualTo(TablePath));
            Assert.That(request.RawQuery, Is.Empty);
            Assert.That(Header(request, "Accept"), Is.EqualTo("application/json"));
            Assert.That(Header(request, "Content-Type"), Does.StartWith("application/json"));
            Assert.That(Header(request, "Prefer"), Is.EqualTo("return=representation"));
            Assert.That(Header(request, "Authorization"), Is.EqualTo("Bearer " + Token));
            Assert.That(Body(request), Is.EqualTo(new Dictionary<string, string?>
            {
                ["name"] = "my_etl_job",
                ["start_date"] = "2024-03-01T02:00:00.123456Z",
                ["end_date"] = null,
                ["status"] = "in_progress",
                ["source"] = "inventory_system",
                ["destination"] = "data_warehouse",
                ["run_key"] = Body(request)["run_key"],
            }));
            Assert.That(Guid.Parse(Body(request)["run_key"]!).Version, Is.EqualTo(7), "a fresh, time-ordered run key");
            Assert.That(run.Id, Is.EqualTo(42));
            Assert.That(run.Status, Is.EqualTo(JobStatus.InProgress));
            Assert.That(job.Current, Is.EqualTo(run));
        });
    }

    [Test]
    public async Task Start_sends_the_start_date_in_UTC_whatever_the_clock_offset()
    {
        Answer("POST", 201, "[" + Row(1) + "]");
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 3, 1, 21, 0, 0, TimeSpan.FromHours(-5)));
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http, clock);

        await job.StartAsync();

        Assert.That(Body(Requests.Single())["start_date"], Is.EqualTo("2024-03-02T02:00:00.000000Z"));
    }

    [Test]
    public async Task Result_PATCHes_the_current_run_by_id_with_end_date_status_and_the_count_when_given()
    {
        Answer("POST", 201, "[" + Row(42) + "]");
        Answer("PATCH", 200, "[" + Row(42, status: "success", endDate: "2024-03-01T02:01:30.5+00:00", recordsProcessed: 503) + "]");
        var clock = new FakeTimeProvider(StartTime);
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(Token), http, clock);
        await job.StartAsync();
        clock.Advance(TimeSpan.FromSeconds(90.5));

        var done = await job.ResultAsync(JobStatus.Success, recordsProcessed: 503);

        var request = Requests.Last();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("PATCH"));
            Assert.That(request.Path, Is.EqualTo(TablePath));
            Assert.That(request.RawQuery, Is.EqualTo("?id=eq.42&status=eq.in_progress"));
            Assert.That(Header(request, "Accept"), Is.EqualTo("application/json"));
            Assert.That(Header(request, "Content-Type"), Does.StartWith("application/json"));
            Assert.That(Header(request, "Prefer"), Is.EqualTo("return=representation"));
            Assert.That(Header(request, "Authorization"), Is.EqualTo("Bearer " + Token));
            Assert.That(Body(request), Is.EqualTo(new Dictionary<string, string?>
            {
                ["end_date"] = "2024-03-01T02:01:30.623456Z",
                ["status"] = "success",
                ["records_processed"] = "503",
            }));
            Assert.That(done.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(done.RecordsProcessed, Is.EqualTo(503));
            Assert.That(job.Current, Is.EqualTo(done));
        });
    }

    [Test]
    public async Task Result_sends_the_message_only_when_given_and_the_count_only_when_given()
    {
        Answer("POST", 201, "[" + Row(42) + "]");
        AnswerInTurn(
            "PATCH",
            (200, "[" + Row(42, status: "error", endDate: "2024-03-01T02:01:00+00:00", message: "A database error occurred.") + "]"),
            (200, "[" + Row(42, status: "success", endDate: "2024-03-01T02:01:00+00:00") + "]"));
        var clock = new FakeTimeProvider(StartTime);
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http, clock);
        await job.StartAsync();

        await job.ResultAsync(JobStatus.Error, message: "A database error occurred.");
        await job.StartAsync();
        await job.ResultAsync(JobStatus.Success);

        var patches = Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.That(Body(patches[0]), Is.EqualTo(new Dictionary<string, string?>
        {
            ["end_date"] = "2024-03-01T02:00:00.123456Z",
            ["status"] = "error",
            ["message"] = "A database error occurred.",
        }));
        Assert.That(Body(patches[1]).Keys, Is.EquivalentTo(new[] { "end_date", "status" }));
    }

    [Test]
    public async Task Start_while_the_current_run_is_in_progress_is_refused_without_a_request()
    {
        Answer("POST", 201, "[" + Row(42) + "]");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");
        await job.StartAsync();

        Assert.That(() => job.StartAsync(), Throws.InvalidOperationException.With.Message.Contains("ResultAsync"));
        Assert.That(Requests, Has.Count.EqualTo(1));
    }

    /// <summary>The JSON object of a request body, each value as its raw JSON text (strings unquoted, null as null).</summary>
    private static Dictionary<string, string?> Body(IRequestMessage request)
    {
        using var document = JsonDocument.Parse(request.Body!);
        return document.RootElement.EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => p.Value.GetString(),
                _ => p.Value.GetRawText(),
            });
    }
}
