using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JobUtil.Tests.Server;

/// <summary>
/// Only the overlap guard's refusal is <see cref="JobAlreadyRunningException"/>: other conflicts, byte for byte as
/// PostgREST words them, keep their own message. (The guard's refusal itself: OverlapEndToEndTests.)
/// </summary>
public class OverlapGuardTests
{
    private const string JobName = "nightly_load";

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
