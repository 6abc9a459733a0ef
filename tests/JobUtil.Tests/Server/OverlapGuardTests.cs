using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JobUtil.Tests.Server;

/// <summary>
/// A server with db/schema.sql's overlap guard enabled refuses a second start of a running job with 409 and
/// SQLSTATE 23505: the client reports it as <see cref="JobAlreadyRunningException"/> and runs no work.
/// </summary>
public class OverlapGuardTests
{
    private const string JobName = "nightly_load";

    // PostgREST's answer when the guard's unique index refuses the insert (message and details as PostgreSQL words them).
    private const string GuardRefusal =
        """{"code":"23505","details":"Key (name)=(nightly_load) already exists.","hint":null,"message":"duplicate key value violates unique constraint \"jobs_one_in_progress_per_name\""}""";

    private WireMockServer _server = null!;

    [OneTimeSetUp]
    public void StartServer() => _server = WireMockServer.Start();

    [OneTimeTearDown]
    public void StopServer() => _server.Dispose();

    [SetUp]
    public void Reset()
    {
        _server.Reset();
        _server.Given(Request.Create().WithPath("/jobs").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[]"));
    }

    [Test]
    public void A_start_refused_by_the_overlap_guard_throws_JobAlreadyRunningException()
    {
        RefuseStartsWith(409, GuardRefusal);
        using var job = NewJob();

        var refusal = Assert.ThrowsAsync<JobAlreadyRunningException>(() => job.StartAsync());

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.JobName, Is.EqualTo(JobName));
            Assert.That(refusal.Status, Is.EqualTo(409));
            Assert.That(refusal.ErrorCode, Is.EqualTo("23505"));
            Assert.That(refusal.ServerMessage, Does.Contain("jobs_one_in_progress_per_name"));
            Assert.That(refusal.Details, Is.EqualTo("Key (name)=(nightly_load) already exists."));
            Assert.That(refusal.IsTransient, Is.False);
            Assert.That(refusal, Is.InstanceOf<JobsApiException>(), "callers that catch JobsApiException still catch it");
            Assert.That(job.Current, Is.Null);
            Assert.That(Posts(), Is.EqualTo(1), "a refused start is not retried");
        });
    }

    [Test]
    public void RunAsync_does_not_run_the_body_when_the_job_is_already_running()
    {
        RefuseStartsWith(409, GuardRefusal);
        using var job = NewJob();
        var bodyRan = false;

        Assert.ThrowsAsync<JobAlreadyRunningException>(() => job.RunAsync((_, _) =>
        {
            bodyRan = true;
            return Task.FromResult(1L);
        }));

        Assert.Multiple(() =>
        {
            Assert.That(bodyRan, Is.False);
            Assert.That(Patches(), Is.Zero, "no outcome is recorded for a run that never started");
        });
    }

    [Test]
    public void RunAsync_without_a_count_does_not_run_the_body_when_the_job_is_already_running()
    {
        RefuseStartsWith(409, GuardRefusal);
        using var job = NewJob();
        var bodyRan = false;

        Assert.ThrowsAsync<JobAlreadyRunningException>(() => job.RunAsync((_, _) =>
        {
            bodyRan = true;
            return Task.CompletedTask;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(bodyRan, Is.False);
            Assert.That(Patches(), Is.Zero);
        });
    }

    [Test]
    public void A_conflict_with_another_code_is_not_taken_for_a_running_job()
    {
        RefuseStartsWith(409, """{"code":"23503","details":"Key is not present in table \"sources\".","hint":null,"message":"insert or update on table \"jobs\" violates foreign key constraint \"jobs_source_fkey\""}""");
        using var job = NewJob();

        var refusal = Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync());

        Assert.Multiple(() =>
        {
            Assert.That(refusal, Is.Not.InstanceOf<JobAlreadyRunningException>());
            Assert.That(refusal!.ErrorCode, Is.EqualTo("23503"));
        });
    }

    private Job NewJob() => new(JobName, _server.Url + "/jobs", "inventory", "warehouse", auth: "writer-token");

    private void RefuseStartsWith(int status, string body)
        => _server.Given(Request.Create().WithPath("/jobs").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(body));

    private int Posts() => _server.LogEntries.Count(e => e.RequestMessage.Method == "POST");

    private int Patches() => _server.LogEntries.Count(e => e.RequestMessage.Method == "PATCH");

    [Test]
    public void A_unique_violation_on_the_primary_key_is_not_reported_as_an_overlapping_run()
    {
        RefuseStartsWith(409, """{"code":"23505","details":"Key (id)=(7) already exists.","hint":null,"message":"duplicate key value violates unique constraint \"jobs_pkey\""}""");
        using var job = NewJob();

        var refusal = Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync());

        Assert.Multiple(() =>
        {
            Assert.That(refusal, Is.Not.InstanceOf<JobAlreadyRunningException>());
            Assert.That(refusal!.ErrorCode, Is.EqualTo("23505"));
            Assert.That(refusal.Message, Does.Contain("jobs_pkey"));
        });
    }
}
