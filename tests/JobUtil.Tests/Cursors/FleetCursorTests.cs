using JobUtil.Testing;

namespace JobUtil.Tests.Cursors;

/// <summary>JobFleet shows each job's cursor from the jobs_fleet view, and still reads a view created before the column.</summary>
public class FleetCursorTests
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HttpClient Http = new();

    [Test]
    public async Task Each_job_shows_the_cursor_of_its_latest_success_that_stored_one()
    {
        using var api = FakeJobsApi.Start();
        api.Seed(
            LastCursorTests.Run("orders", "success", T0, "1001"),
            LastCursorTests.Run("orders", "success", T0.AddHours(1)),
            LastCursorTests.Run("orders", "error", T0.AddHours(2), "of a failure"),
            LastCursorTests.Run("customers", "success", T0));

        var jobs = await NewFleet(api).GetJobsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(jobs.ToDictionary(j => j.Name, j => j.LastCursor), Is.EquivalentTo(new Dictionary<string, string?> { ["orders"] = "1001", ["customers"] = null }));
            Assert.That(api.Requests, Has.Count.EqualTo(1), "one read of the view");
        });
    }

    [Test]
    public async Task A_view_created_before_the_cursor_column_is_read_without_it()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { CursorColumn = false });
        api.Seed(LastCursorTests.Run("orders", "success", T0));

        var jobs = await NewFleet(api).GetJobsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(jobs.Single().Name, Is.EqualTo("orders"));
            Assert.That(jobs.Single().LastCursor, Is.Null);
            Assert.That(jobs.Single().LastSuccessStart, Is.EqualTo(T0));
            Assert.That(api.Requests.Select(r => r.Status), Is.EqualTo(new[] { 400, 200 }), "the view's 42703 on last_cursor, then the view without it");
        });
    }

    private static JobFleet NewFleet(FakeJobsApi api) => new(new JobOptions { Url = api.Url, MaxRetryAttempts = 0 }, Http);
}
