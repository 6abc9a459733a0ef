using JobUtil.Tests.Core;
using Microsoft.Extensions.Time.Testing;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace JobUtil.Tests.Resilience;

/// <summary>A start whose outcome is unknown is looked up before it is sent again, so one run is one row.</summary>
public class DuplicateSafeStartTests : ServerFixture
{
    private JobsTable _table = null!;
    private int _posts;

    [SetUp]
    public void NewTable()
    {
        _table = new JobsTable();
        _posts = 0;
        Server.Given(Request.Create().WithPath(TablePath).UsingGet()).RespondWith(Response.Create().WithCallback(r => Reply(200, _table.Select(r))));
        Server.Given(Request.Create().WithPath(TablePath).UsingPatch()).RespondWith(Response.Create().WithCallback(r => Reply(200, _table.Update(r))));
    }

    [Test]
    public async Task A_row_stored_whose_response_is_lost_to_a_504_is_found_and_returned_not_inserted_again()
    {
        OnPost(r =>
        {
            var created = _table.Insert(r);
            return Task.FromResult<IResponseMessage>(_posts == 1 ? Reply(504, "<html><body>504 Gateway Time-out</body></html>", "text/html") : Reply(201, created));
        });
        using var http = new HttpClient();
        using var job = new Job("load & transform", Options(), http, new FakeTimeProvider(new DateTimeOffset(2024, 3, 1, 2, 0, 0, TimeSpan.Zero).AddTicks(1_234_567)));

        var run = await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_table.Rows, Has.Count.EqualTo(1));
            Assert.That(run.Id, Is.EqualTo(1));
            Assert.That(run.Name, Is.EqualTo("load & transform"));
            Assert.That(job.Current, Is.EqualTo(run));
            Assert.That(Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "GET" }));
        });

        // The lookup asks for exactly what this client chose, start_date to the microsecond.
        Assert.That(JobsTable.Filters(Requests[1]), Is.EqualTo(new Dictionary<string, string>
        {
            ["name"] = "load & transform",
            ["source"] = "inventory_system",
            ["destination"] = "data_warehouse",
            ["status"] = "in_progress",
            ["start_date"] = "2024-03-01T02:00:00.123456Z",
        }));

        // A raw '+' would reach PostgREST as a space: nothing in the query may carry one unencoded.
        Assert.That(Requests[1].RawQuery, Does.Not.Contain("+"));
    }

    [Test]
    public async Task A_row_stored_whose_response_comes_after_the_attempt_timeout_is_found_and_returned()
    {
        OnPost(async r =>
        {
            var created = _table.Insert(r);
            if (_posts == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(8));
            }

            return Reply(201, created);
        });
        var options = Options();
        options.AttemptTimeout = TimeSpan.FromSeconds(2);
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http);

        var run = await job.StartAsync();

        Assert.That(_table.Rows, Has.Count.EqualTo(1));
        Assert.That(run.Id, Is.EqualTo(1));
        Assert.That(_posts, Is.EqualTo(1));
    }

    [Test]
    public async Task A_POST_that_really_failed_is_looked_up_not_found_and_sent_again_once()
    {
        OnPost(r => Task.FromResult<IResponseMessage>(_posts == 1
            ? Reply(503, """{"code":"PGRST000","details":null,"hint":null,"message":"Database connection error. Retrying the connection."}""")
            : Reply(201, _table.Insert(r))));
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http);

        var run = await job.StartAsync();

        Assert.That(_table.Rows, Has.Count.EqualTo(1));
        Assert.That(run.Id, Is.EqualTo(1));
        Assert.That(Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "GET", "POST" }));
        Assert.That(Requests[2].Body, Is.EqualTo(Requests[0].Body), "the same run, with the same start_date, is sent again");
    }

    [Test]
    public async Task A_POST_refused_with_500_was_not_committed_and_is_sent_again_without_a_lookup()
    {
        OnPost(r => Task.FromResult<IResponseMessage>(_posts == 1 ? Reply(500, """{"code":"XX000","details":null,"hint":null,"message":"internal error"}""") : Reply(201, _table.Insert(r))));
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http);

        await job.StartAsync();

        Assert.That(Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "POST" }));
        Assert.That(_table.Rows, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_PATCH_applied_but_answered_503_is_retried_and_the_run_is_recorded_once()
    {
        OnPost(r => Task.FromResult<IResponseMessage>(Reply(201, _table.Insert(r))));
        var patches = 0;
        Server.Given(Request.Create().WithPath(TablePath).UsingPatch()).AtPriority(0).RespondWith(Response.Create().WithCallback(r =>
        {
            var updated = _table.Update(r);
            return Interlocked.Increment(ref patches) == 1 ? Reply(503, "") : Reply(200, updated);
        }));
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 3, 1, 2, 0, 0, TimeSpan.Zero));
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", Options(), http, clock);
        await job.StartAsync();
        clock.Advance(TimeSpan.FromMinutes(3));

        var done = await job.ResultAsync(JobStatus.Success, recordsProcessed: 503);

        var row = _table.Rows.Single();
        var sent = Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sent, Has.Count.EqualTo(2));
            Assert.That(sent[1].Body, Is.EqualTo(sent[0].Body), "a retried PATCH sends the same end_date");
            Assert.That(row["status"]!.GetValue<string>(), Is.EqualTo("success"));
            Assert.That(row["records_processed"]!.GetValue<long>(), Is.EqualTo(503));
            Assert.That(row["end_date"]!.GetValue<string>(), Is.EqualTo("2024-03-01T02:03:00.000000Z"));
            Assert.That(done.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(done.Id, Is.EqualTo(1));
        });
    }

    private void OnPost(Func<IRequestMessage, Task<IResponseMessage>> answer)
        => Server.Given(Request.Create().WithPath(TablePath).UsingPost()).RespondWith(Response.Create().WithCallback(r =>
        {
            Interlocked.Increment(ref _posts);
            return answer(r);
        }));
}
