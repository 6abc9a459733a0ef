using JobUtil.Tests.Support;

namespace JobUtil.Tests.Records;

/// <summary>One <see cref="Job"/> instance starts and tracks one run at a time: a second start fails at once and sends nothing.</summary>
public sealed class OneRunPerInstanceTests : ApiFixture
{
    [Test]
    public async Task A_second_start_while_the_first_is_in_flight_fails_at_once_and_sends_nothing()
    {
        var api = JobUtil.Testing.FakeJobsApi.Start();
        api.DelayNext(1, TimeSpan.FromMinutes(5), "POST");
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, Http, Clock);

        var first = job.StartAsync();
        Assert.That(() => api.InFlight, Is.EqualTo(1).After(30_000, 10), "the first POST did not arrive");

        Assert.Multiple(() =>
        {
            Assert.That(() => job.StartAsync(), Throws.InvalidOperationException.With.Message.Contains("already starting a run"));
            Assert.That(() => job.StartRunAsync(), Throws.InvalidOperationException.With.Message.Contains("already starting a run"));
            Assert.That(() => job.RunAsync((_, _) => Task.FromResult(1L)), Throws.InvalidOperationException.With.Message.Contains("already starting a run"));
        });

        Assert.That(api.Requests, Is.Empty, "the refused starts sent nothing (the first is still held)");

        // Stopping the fake releases the held POST.
        api.Dispose();
        Assert.That(async () => await first, Throws.InstanceOf<JobsApiException>());
    }

    [Test]
    public async Task Two_concurrent_starts_on_one_instance_make_one_run_and_track_it()
    {
        Api.DelayNext(1, TimeSpan.FromMilliseconds(300), "POST");
        using var job = NewJob();
        using var go = new ManualResetEventSlim();

        var starts = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            go.Wait();
            return await job.StartAsync();
        })).ToArray();
        go.Set();
        var outcomes = await Task.WhenAll(starts.Select(async t =>
        {
            try
            {
                return (Run: await t, Error: (Exception?)null);
            }
            catch (InvalidOperationException e)
            {
                return (Run: (JobRecord?)null, Error: (Exception?)e);
            }
        }));

        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Count(o => o.Run is not null), Is.EqualTo(1), "one start made a run");
            Assert.That(outcomes.Count(o => o.Error is InvalidOperationException), Is.EqualTo(1), "the other was refused");
            Assert.That(Count("POST"), Is.EqualTo(1), "the refused one sent nothing");
            Assert.That(Api.Rows, Has.Count.EqualTo(1));
            Assert.That(job.Current?.Id, Is.EqualTo(Row.Id), "the one run is the one tracked");
        });
    }

    [Test]
    public async Task A_second_RunAsync_while_the_first_body_runs_fails_at_once_and_sends_nothing()
    {
        using var job = NewJob();
        var inBody = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var first = job.RunAsync(async (_, _) =>
        {
            inBody.SetResult();
            await release.Task;
            return 1L;
        });
        await inBody.Task;
        var sent = Api.Requests.Count;

        Assert.That(() => job.RunAsync((_, _) => Task.FromResult(2L)), Throws.InvalidOperationException.With.Message.Contains("still in progress"));
        Assert.That(() => job.StartRunAsync(), Throws.InvalidOperationException);
        Assert.That(Api.Requests, Has.Count.EqualTo(sent), "nothing was sent, not even the watermark read");

        release.SetResult();
        Assert.That(await first, Is.EqualTo(1));
        Assert.That(Row.Status, Is.EqualTo("success"));

        // Once the run has ended, the instance starts the next one.
        await job.RunAsync((_, _) => Task.FromResult(2L));
        Assert.That(Api.Rows, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Handles_started_one_after_another_may_be_open_at_once()
    {
        using var job = NewJob();

        await using var first = await job.StartRunAsync();
        await using var second = await job.StartRunAsync();

        Assert.That(Api.Rows, Has.Count.EqualTo(2));
    }
}
