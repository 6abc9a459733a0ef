using JobUtil.Tests.Core;

namespace JobUtil.Tests.Records;

/// <summary>Byte-exact answers the fake does not produce: the trigger's refusal, and a PostgREST error body on a 500.</summary>
public sealed class WireOutcomeTests : ServerFixture
{
    [Test]
    public async Task The_final_state_trigger_refusal_is_JobRunAlreadyEndedException_with_the_stored_run()
    {
        Answer("POST", 201, "[" + Row(42) + "]");
        Answer("PATCH", 400, """{"code":"23J01","details":"The update would change: status.","hint":"A finished run is final.","message":"run 42 of job \"my_etl_job\" has already ended (status success, end_date 2024-03-01 02:01:00+00, records_processed 7) and cannot be changed"}""");
        Answer("GET", 200, "[" + Row(42, status: "success", endDate: "2024-03-01T02:01:00+00:00", recordsProcessed: 7) + "]");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");
        await job.StartAsync();

        var error = Assert.ThrowsAsync<JobRunAlreadyEndedException>(() => job.ResultAsync(JobStatus.Error, message: "late"))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.EqualTo(400));
            Assert.That(error.ErrorCode, Is.EqualTo("23J01"));
            Assert.That(error.Run.Status, Is.EqualTo(JobStatus.Success));
            Assert.That(error.Run.RecordsProcessed, Is.EqualTo(7));
            Assert.That(error.Message, Does.Contain("run 42 of job 'my_etl_job' has already ended (status success"));
        });
    }

    [Test]
    public async Task A_500_with_PostgREST_error_body_proves_nothing_was_inserted_so_no_lookup_is_made()
    {
        AnswerInTurn(
            "POST",
            (500, """{"code":"XX000","details":null,"hint":null,"message":"internal error"}"""),
            (201, "[" + Row(7) + "]"));
        using var http = new HttpClient();
        var options = Options();
        options.MaxRetryAttempts = 1;
        using var job = new Job("my_etl_job", options, http);

        var run = await job.StartAsync();

        Assert.That(run.Id, Is.EqualTo(7));
        Assert.That(Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST", "POST" }));
    }
}
