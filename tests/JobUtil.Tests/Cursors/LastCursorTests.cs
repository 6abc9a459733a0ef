using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Cursors;

/// <summary>
/// A job's cursor is the one of its successful run with the greatest start_date (then id) among those that stored one,
/// read in one percent-encoded request; runs that failed, are running, or stored none do not count.
/// </summary>
public class LastCursorTests : ApiFixture
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] OddCursors =
    [
        "a&b=c",
        "page#2",
        "100% done",
        "it's \"quoted\"",
        "Müller_Straße_名前_😀",
        "eq.trap&status=eq.error",
        "  padded\nnext line\t",
        "+00:00",
        "{\"lsn\":\"0/16B3748\",\"tables\":[1,2]}",
    ];

    [Test]
    public async Task A_job_without_runs_has_no_cursor()
    {
        using var job = NewJob();

        Assert.That(await job.LastCursorAsync(), Is.Null);
    }

    [Test]
    public async Task Old_rows_without_a_cursor_read_as_none()
    {
        Api.Seed(Run("orders", "success", T0), Run("orders", "success", T0.AddHours(1)));
        using var job = NewJob();

        Assert.Multiple(async () =>
        {
            Assert.That(await job.LastCursorAsync(), Is.Null);
            Assert.That(await job.MostRecentAsync(), Is.EqualTo(T0.AddHours(1)), "the watermark is unchanged");
        });
    }

    [Test]
    public async Task The_cursor_is_that_of_the_successful_run_with_the_greatest_start_date()
    {
        Api.Seed(
            Run("orders", "success", T0.AddHours(2), "from-run-2"),
            Run("orders", "success", T0.AddHours(3), "from-run-3"),
            Run("orders", "success", T0.AddHours(1), "from-run-1"),
            Run("customers", "success", T0.AddHours(9), "another job's"));
        using var job = NewJob();

        Assert.That(await job.LastCursorAsync(), Is.EqualTo("from-run-3"));
    }

    [Test]
    public async Task Failed_and_running_runs_do_not_move_the_cursor_even_when_they_hold_one()
    {
        Api.Seed(
            Run("orders", "success", T0, "good"),
            Run("orders", "error", T0.AddHours(1), "written by hand on a failure"),
            Run("orders", "in_progress", T0.AddHours(2), "written by hand while running"));
        using var job = NewJob();

        Assert.That(await job.LastCursorAsync(), Is.EqualTo("good"));
    }

    [Test]
    public async Task A_later_success_without_a_cursor_leaves_the_last_stored_cursor()
    {
        Api.Seed(Run("orders", "success", T0, "stored"), Run("orders", "success", T0.AddHours(1)));
        using var job = NewJob();

        Assert.Multiple(async () =>
        {
            Assert.That(await job.LastCursorAsync(), Is.EqualTo("stored"));
            Assert.That(await job.MostRecentAsync(), Is.EqualTo(T0.AddHours(1)));
        });
    }

    [Test]
    public async Task Runs_that_started_at_the_same_instant_are_ordered_by_id()
    {
        Api.Seed(
            Run("orders", "success", T0, "first id") with { Id = 7 },
            Run("orders", "success", T0, "greatest id") with { Id = 9 },
            Run("orders", "success", T0, "middle id") with { Id = 8 });
        using var job = NewJob();

        Assert.That(await job.LastCursorAsync(), Is.EqualTo("greatest id"));
    }

    [TestCaseSource(nameof(OddCursors))]
    public async Task A_cursor_with_characters_that_need_escaping_is_read_exactly(string cursor)
    {
        const string name = "load & transform #2 100% \"q\" é";
        Api.Seed(Run(name, "success", T0, cursor), Run("load ", "success", T0.AddHours(1), "a prefix of the name"));
        using var job = NewJob(name: name);

        Assert.That(await job.LastCursorAsync(), Is.EqualTo(cursor));
    }

    [Test]
    public async Task The_cursor_is_read_in_one_percent_encoded_request()
    {
        Api.Seed(Run("a&b #1", "success", T0, "x"));
        using var job = NewJob(name: "a&b #1");

        await job.LastCursorAsync();

        var request = Api.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("GET"));
            Assert.That(request.Query, Is.EqualTo("select=cursor&name=eq.a%26b%20%231&status=eq.success&cursor=not.is.null&order=start_date.desc,id.desc&limit=1"));
        });
    }

    [TestCase(PostgrestEra.Modern)]
    [TestCase(PostgrestEra.V10_1)]
    [TestCase(PostgrestEra.V10_0)]
    [TestCase(PostgrestEra.V8)]
    [TestCase(PostgrestEra.V6)]
    public async Task The_cursor_is_read_alike_in_every_PostgREST_era(PostgrestEra era)
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { Era = era });
        api.Seed(Run("orders", "success", T0, "old"), Run("orders", "success", T0.AddHours(1), "new"), Run("orders", "error", T0.AddHours(2), "bad"));
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, Http);

        Assert.That(await job.LastCursorAsync(), Is.EqualTo("new"));
    }

    [TestCase(PostgrestEra.Modern)]
    [TestCase(PostgrestEra.V10_0)]
    [TestCase(PostgrestEra.V6)]
    public async Task Without_the_cursor_column_reading_it_is_an_error_naming_the_column_and_the_schema_file(PostgrestEra era)
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { Era = era, HeartbeatColumns = false, CursorColumn = false });
        api.Seed(Run("orders", "success", T0));
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, Http);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.LastCursorAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(error!.Message, Does.Contain("no cursor column").And.Contain("db/schema.sql"));
            Assert.That(error.Status, Is.EqualTo(400));
            Assert.That(error.ErrorCode, Is.EqualTo("42703"));
            Assert.That(error.InnerException, Is.InstanceOf<JobsApiException>());
            Assert.That(await job.MostRecentAsync(), Is.EqualTo(T0), "the watermark still reads on nine columns");
        });
    }

    internal static FakeJobRow Run(string name, string status, DateTimeOffset started, string? cursor = null) => new()
    {
        Name = name,
        Status = status,
        StartDate = started,
        EndDate = status == "in_progress" ? null : started.AddMinutes(5),
        Source = "crm",
        Destination = "warehouse",
        Cursor = cursor,
    };
}
