using System.Text.Json;

namespace JobUtil.Testing.Tests;

/// <summary>A finished run cannot change, as the jobs_final_state trigger of db/schema.sql enforces.</summary>
public class FinalStateTests : FakeApiFixture
{
    private const string Ended = "2024-05-01T01:00:00Z";

    private FakeJobRow SeedFinished(string status = "success")
        => Api.Seed(Row("nightly", "2024-05-01T00:00:00Z", status, end: Ended, records: 503, message: "done") with { HeartbeatAt = DateTimeOffset.Parse("2024-05-01T00:30:00Z", System.Globalization.CultureInfo.InvariantCulture), Host = "etl-1" })[0];

    [TestCase("status", "\"error\"")]
    [TestCase("start_date", "\"2024-04-30T00:00:00Z\"")]
    [TestCase("end_date", "\"2024-05-02T00:00:00Z\"")]
    [TestCase("records_processed", "0")]
    [TestCase("message", "\"overwritten\"")]
    [TestCase("heartbeat_at", "\"2024-05-01T02:00:00Z\"")]
    [TestCase("host", "\"etl-2\"")]
    [TestCase("name", "\"renamed\"")]
    [TestCase("source", "\"other\"")]
    [TestCase("destination", "\"other\"")]
    public async Task Changing_a_column_of_a_finished_run_is_refused_with_400_23J01_and_nothing_is_written(string column, string value)
    {
        var run = SeedFinished();

        var (status, body, _) = await PatchAsync($"?id=eq.{run.Id}", $"{{\"{column}\":{value}}}");

        Assert.That(status, Is.EqualTo(400), body);
        using var error = JsonDocument.Parse(body);
        Assert.Multiple(() =>
        {
            Assert.That(error.RootElement.GetProperty("code").GetString(), Is.EqualTo("23J01"));
            Assert.That(error.RootElement.GetProperty("details").GetString(), Is.EqualTo($"The update would change: {column}."));
            Assert.That(Api.Rows.Single(), Is.EqualTo(run), "the row is unchanged");
        });
    }

    [Test]
    public async Task The_error_names_the_run_and_what_it_holds_and_the_administrators_escape()
    {
        var run = SeedFinished();

        var (_, body, response) = await PatchAsync($"?id=eq.{run.Id}", "{\"status\":\"error\",\"end_date\":\"2024-05-01T02:00:00Z\",\"message\":\"late failure\"}");

        Assert.That(body, Is.EqualTo(
            "{\"code\":\"23J01\",\"details\":\"The update would change: end_date, message, status.\","
            + "\"hint\":\"A finished run is final. The table's owner may correct it in a transaction after SET LOCAL jobutil.allow_final_update = on.\","
            + $"\"message\":\"run {run.Id} of job \\\"nightly\\\" has already ended (status success, end_date 2024-05-01 01:00:00+00, records_processed 503) and cannot be changed\"}}"));
        Assert.That(Header(response, "Proxy-Status"), Is.EqualTo("PostgREST; error=23J01"));
    }

    [Test]
    public async Task Setting_the_values_a_finished_run_already_holds_is_allowed()
    {
        var run = SeedFinished("error");

        var (status, body, _) = await PatchAsync($"?id=eq.{run.Id}", $"{{\"status\":\"error\",\"end_date\":\"{Ended}\",\"records_processed\":503,\"message\":\"done\"}}");

        Assert.That(status, Is.EqualTo(200), body);
        Assert.That(Api.Rows.Single(), Is.EqualTo(run));
    }

    [Test]
    public async Task A_conditional_update_of_a_finished_run_matches_nothing_and_is_no_error()
    {
        var run = SeedFinished();

        var (status, body, _) = await PatchAsync($"?id=eq.{run.Id}&status=eq.in_progress", "{\"status\":\"error\"}");

        Assert.That((status, body), Is.EqualTo((200, "[]")));
        Assert.That(Api.Rows.Single().Status, Is.EqualTo("success"));
    }

    [Test]
    public async Task A_run_in_progress_takes_heartbeats_and_then_its_outcome()
    {
        var run = Api.Seed(Row("nightly", "2024-05-01T00:00:00Z", "in_progress"))[0];

        var heartbeat = await PatchAsync($"?id=eq.{run.Id}", "{\"heartbeat_at\":\"2024-05-01T00:01:00Z\",\"host\":\"etl-1\"}");
        var outcome = await PatchAsync($"?id=eq.{run.Id}", "{\"status\":\"success\",\"end_date\":\"2024-05-01T00:02:00Z\",\"records_processed\":7}");

        Assert.That((heartbeat.Status, outcome.Status), Is.EqualTo((200, 200)));
        Assert.That(Api.Rows.Single(), Is.EqualTo(run with
        {
            Status = "success",
            EndDate = new DateTimeOffset(2024, 5, 1, 0, 2, 0, TimeSpan.Zero),
            RecordsProcessed = 7,
            HeartbeatAt = new DateTimeOffset(2024, 5, 1, 0, 1, 0, TimeSpan.Zero),
            Host = "etl-1",
        }));
    }

    [Test]
    public async Task One_finished_row_among_the_matched_rows_rolls_the_whole_update_back()
    {
        var running = Api.Seed(Row("a", "2024-05-01T00:00:00Z", "in_progress"))[0];
        SeedFinished();

        var (status, _, _) = await PatchAsync("?start_date=gte.2024-05-01T00:00:00Z", "{\"message\":\"x\"}");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(Api.Rows.Single(r => r.Id == running.Id).Message, Is.Null);
    }

    [Test]
    public async Task The_trigger_is_checked_before_the_constraints()
    {
        var run = SeedFinished();

        var (_, body, _) = await PatchAsync($"?id=eq.{run.Id}", "{\"status\":\"bogus\"}");

        Assert.That(body, Does.Contain("\"code\":\"23J01\""));
    }
}

/// <summary>Without the trigger (the original table), a finished run can be overwritten.</summary>
public class NoFinalStateTriggerTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new() { EnforceFinalStates = false };

    [Test]
    public async Task A_finished_run_can_be_changed()
    {
        var run = Api.Seed(Row("nightly", "2024-05-01T00:00:00Z", "success", end: "2024-05-01T01:00:00Z"))[0];

        var (status, _, _) = await PatchAsync($"?id=eq.{run.Id}", "{\"status\":\"error\"}");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(Api.Rows.Single().Status, Is.EqualTo("error"));
    }
}
