using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Records;

/// <summary>
/// Whether the table has run_key, learned from the server: no extra request per start on the new schema, one per Job on
/// a table without the column; JobOptions.RunKey forces it on or off.
/// </summary>
public sealed class RunKeyDiscoveryTests : ApiFixture
{
    [Test]
    public async Task On_the_new_schema_every_start_sends_a_fresh_key_and_nothing_else()
    {
        using var job = NewJob();

        await job.RunAsync((_, _) => Task.FromResult(1L));
        await job.RunAsync((_, _) => Task.FromResult(2L));

        var posts = Api.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(Api.Requests.Select(r => (r.Method, r.Status)), Is.EqualTo(new[] { ("GET", 200), ("POST", 201), ("PATCH", 200), ("GET", 200), ("POST", 201), ("PATCH", 200) }));
            Assert.That(Api.Rows.Select(r => r.RunKey), Is.All.Not.Null);
            Assert.That(Api.Rows.Select(r => r.RunKey), Is.Unique);
            Assert.That(posts.Select(p => p.Body), Is.All.Contain("\"run_key\":\""));
        });
    }

    [TestCase(PostgrestEra.Modern)]
    [TestCase(PostgrestEra.V8)]
    public async Task On_a_table_without_run_key_a_job_learns_it_from_one_refused_POST(PostgrestEra era)
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { RunKeyColumn = false, Era = era });
        using var job = new Job("orders", Options(o => o.Url = api.Url), Http, Clock);

        await job.StartAsync();
        await job.ResultAsync(JobStatus.Success);
        await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(api.Requests.Select(r => (r.Method, r.Status)), Is.EqualTo(new[] { ("POST", 400), ("POST", 201), ("PATCH", 200), ("POST", 201) }));
            Assert.That(api.Requests.Where(r => r.Method == "POST").Skip(1).Select(r => r.Body), Is.All.Not.Contain("run_key"));
            Assert.That(api.Rows, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task RunKey_Off_never_sends_a_key()
    {
        using var job = NewJob(o => o.RunKey = RunKeyMode.Off);

        await job.StartAsync();

        Assert.That(Api.Requests.Single().Body, Does.Not.Contain("run_key"));
        Assert.That(Row.RunKey, Is.Null);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void RunKey_On_against_a_table_without_the_column_fails_naming_the_column_and_the_schema(bool heartbeats)
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { RunKeyColumn = false });
        using var job = new Job("orders", Options(o =>
        {
            o.Url = api.Url;
            o.RunKey = RunKeyMode.On;
            o.HeartbeatInterval = heartbeats ? TimeSpan.FromMinutes(1) : null;
        }), Http, Clock);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("no run_key column").And.Contain("db/schema.sql").And.Contain("RunKey"));
            Assert.That(error.Status, Is.EqualTo(400));
            Assert.That(error.ErrorCode, Is.EqualTo("PGRST204"));
            Assert.That(api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST" }), "nothing retried, nothing looked up");
            Assert.That(api.Rows, Is.Empty);
        });
    }

    [Test]
    public void A_RunKey_outside_the_enum_is_refused_before_anything_is_sent()
    {
        var options = Options(o => o.RunKey = (RunKeyMode)7);

        Assert.Multiple(() =>
        {
            Assert.That(options.Validate().Select(p => p.Key), Is.EqualTo(new[] { nameof(JobOptions.RunKey) }));
            Assert.That(() => new Job("orders", options, Http), Throws.ArgumentException.With.Message.Contains("RunKey must be Auto, On or Off"));
            Assert.That(Api.Requests, Is.Empty);
        });
    }

    [Test]
    public void The_default_is_Auto_and_ToString_shows_it()
    {
        Assert.That(new JobOptions().RunKey, Is.EqualTo(RunKeyMode.Auto));
        Assert.That(new JobOptions { RunKey = RunKeyMode.Off }.ToString(), Does.Contain("RunKey = Off"));
    }
}
