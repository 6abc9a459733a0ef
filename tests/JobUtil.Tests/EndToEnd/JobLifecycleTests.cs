namespace JobUtil.Tests.EndToEnd;

/// <summary>The SDK's whole cycle (watermark, start, result, RunAsync) against the stateful fake.</summary>
public class JobLifecycleTests : EndToEndFixture
{
    [Test]
    public async Task Start_inserts_an_in_progress_row_and_result_completes_it()
    {
        using var job = NewJob();

        var started = await job.StartAsync();
        Clock.Advance(TimeSpan.FromMinutes(3));
        var done = await job.ResultAsync(JobStatus.Success, recordsProcessed: 503);

        var row = Api.Rows.Single();
        Assert.That(started.Status, Is.EqualTo(JobStatus.InProgress));
        Assert.That(started.StartDate, Is.EqualTo(Clock.Start));
        Assert.That(done.Id, Is.EqualTo(started.Id));
        Assert.That(row.Id, Is.EqualTo(started.Id));
        Assert.That(row.Status, Is.EqualTo("success"));
        Assert.That(row.RecordsProcessed, Is.EqualTo(503));
        Assert.That(row.EndDate, Is.EqualTo(Clock.Start.AddMinutes(3)));
        Assert.That((row.Source, row.Destination), Is.EqualTo(("crm", "warehouse")));
        Assert.That(job.Current, Is.EqualTo(done));
    }

    [Test]
    public async Task The_watermark_is_the_start_of_the_latest_successful_run_after_several_runs()
    {
        using var job = NewJob();
        var seen = new List<DateTimeOffset?>();

        async Task RunAsync(bool fail)
        {
            try
            {
                await job.RunAsync(async (since, _) =>
                {
                    seen.Add(since);
                    await Task.Yield();
                    return fail ? throw new InvalidOperationException("source unavailable") : 10L;
                });
            }
            catch (InvalidOperationException) when (fail)
            {
            }

            Clock.Advance(TimeSpan.FromHours(1));
        }

        await RunAsync(fail: false);
        await RunAsync(fail: false);
        await RunAsync(fail: true);
        await RunAsync(fail: false);

        var start = Clock.Start;
        Assert.That(seen, Is.EqualTo(new DateTimeOffset?[] { null, start, start.AddHours(1), start.AddHours(1) }));
        Assert.That(await job.MostRecentAsync(), Is.EqualTo(start.AddHours(3)));
        Assert.That(Api.Rows.Select(r => r.Status), Is.EqualTo(new[] { "success", "success", "error", "success" }));
    }

    [Test]
    public async Task Another_jobs_runs_do_not_move_the_watermark()
    {
        using var mine = NewJob("mine");
        using var other = NewJob("other & co");
        await mine.RunAsync((_, _) => Task.FromResult(1L));
        Clock.Advance(TimeSpan.FromHours(1));
        await other.RunAsync((_, _) => Task.FromResult(1L));

        Assert.That(await mine.MostRecentAsync(), Is.EqualTo(Clock.Start));
        Assert.That(await other.MostRecentAsync(), Is.EqualTo(Clock.Start.AddHours(1)));
    }

    [Test]
    public async Task RunAsync_records_a_failing_body_as_error_with_its_message_and_rethrows()
    {
        using var job = NewJob();

        Assert.That(
            async () => await job.RunAsync((_, _) => Task.FromException<long>(new InvalidOperationException("database unreachable"))),
            Throws.InvalidOperationException.With.Message.EqualTo("database unreachable"));

        var row = Api.Rows.Single();
        Assert.That(row.Status, Is.EqualTo("error"));
        Assert.That(row.Message, Does.Contain("database unreachable"));
        Assert.That(row.EndDate, Is.Not.Null);
        Assert.That(await job.MostRecentAsync(), Is.Null);
    }

    [Test]
    public async Task The_requests_on_the_wire_are_the_documented_ones()
    {
        using var job = NewJob();

        await job.RunAsync((_, _) => Task.FromResult(2L));

        var requests = Api.Requests;
        Assert.That(requests.Select(r => r.Method), Is.EqualTo(new[] { "GET", "POST", "PATCH" }));
        Assert.That(requests[0].Query, Does.Contain("status=eq.success").And.Contain("order=start_date.desc").And.Contain("limit=1"));
        Assert.That(requests[1].Header("Prefer"), Is.EqualTo("return=representation"));
        Assert.That(requests[2].Query, Is.EqualTo($"id=eq.{Api.Rows.Single().Id}&status=eq.in_progress"), "only a run still in progress is ended");
        Assert.That(requests.Select(r => r.Header("Authorization")), Is.All.Null);
    }

    [Test]
    public async Task A_result_for_a_run_deleted_meanwhile_is_JobRunNotFoundException()
    {
        using var job = NewJob();
        await job.StartAsync();
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, Api.Url + "?name=eq.nightly_copy"))
        {
            (await Http.SendAsync(delete)).Dispose();
        }

        Assert.That(async () => await job.ResultAsync(JobStatus.Success), Throws.InstanceOf<JobRunNotFoundException>());
    }
}
