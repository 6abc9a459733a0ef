using System.Text;
using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Cursors;

/// <summary>
/// A run records its cursor with its success, and the next run gets it: through RunAsync's cursor form, the run handle
/// (BeginRunAsync's LastCursor, SucceedAsync, FinishAsync) and ResultAsync. A failed run records none; the greatest
/// start_date wins between concurrent runs; a cursor that cannot be stored is refused before anything is sent.
/// </summary>
public class CursorRunTests : ApiFixture
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static IEnumerable<TestCaseData> Kinds =>
    [
        new TestCaseData(JobCursor.FromTimestamp(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_560))).SetArgDisplayNames("timestamp"),
        new TestCaseData(JobCursor.FromInt64(long.MaxValue)).SetArgDisplayNames("integer"),
        new TestCaseData("0/16B3748").SetArgDisplayNames("a log sequence number"),
        new TestCaseData("a&b=c #2 100% it's \"q\" Müller 名前 😀").SetArgDisplayNames("escaping and Unicode"),
    ];

    [TestCaseSource(nameof(Kinds))]
    public async Task RunAsync_hands_the_next_run_the_cursor_the_last_one_returned(string cursor)
    {
        using var job = NewJob();
        string? seenFirst = "unset";
        string? seenSecond = null;

        await job.RunAsync((last, ct) => { seenFirst = last; return Task.FromResult(new JobRunResult(3, cursor)); });
        var second = await job.RunAsync((last, ct) => { seenSecond = last; return Task.FromResult(new JobRunResult(0, null)); });

        Assert.Multiple(async () =>
        {
            Assert.That(seenFirst, Is.Null, "the first run has no cursor");
            Assert.That(seenSecond, Is.EqualTo(cursor));
            Assert.That(second, Is.EqualTo(new JobRunResult(0, null)));
            Assert.That(Api.Rows.Select(r => (r.Status, r.RecordsProcessed, r.Cursor)), Is.EqualTo(new[] { ("success", (int?)3, cursor), ("success", (int?)0, (string?)null) }));
            Assert.That(await job.LastCursorAsync(), Is.EqualTo(cursor), "a later run that stored none keeps the last one");
        });
    }

    [Test]
    public async Task Typed_cursors_round_trip_through_the_table()
    {
        var instant = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(-5)).AddTicks(1_234_560);
        using var job = NewJob();

        await job.RunAsync((_, _) => Task.FromResult(new JobRunResult(null, JobCursor.FromTimestamp(instant))));
        var timestamp = JobCursor.ToTimestamp(await job.LastCursorAsync());
        await job.RunAsync((_, _) => Task.FromResult(new JobRunResult(null, JobCursor.FromInt64(-42))));
        var integer = JobCursor.ToInt64(await job.LastCursorAsync());

        Assert.Multiple(() =>
        {
            Assert.That(timestamp, Is.EqualTo(instant));
            Assert.That(timestamp!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(integer, Is.EqualTo(-42));
        });
    }

    [Test]
    public async Task A_run_whose_body_fails_records_no_cursor_and_the_next_gets_the_last_good_one()
    {
        Api.Seed(LastCursorTests.Run("orders", "success", T0, "good"));
        using var job = NewJob();
        string? seen = null;

        Assert.ThrowsAsync<IOException>(() => job.RunAsync((last, ct) => Task.FromException<JobRunResult>(new IOException("disk full"))));
        await job.RunAsync((last, ct) => { seen = last; return Task.FromResult(new JobRunResult(1, "next")); });

        Assert.Multiple(() =>
        {
            Assert.That(Api.Rows[1].Status, Is.EqualTo("error"));
            Assert.That(Api.Rows[1].Cursor, Is.Null);
            Assert.That(seen, Is.EqualTo("good"));
        });
    }

    [Test]
    public async Task A_failed_outcome_with_a_cursor_is_refused_before_anything_is_sent()
    {
        using var job = NewJob();
        await job.StartAsync();
        var sent = Api.Requests.Count;

        Assert.Multiple(() =>
        {
            Assert.That(() => job.ResultAsync(JobStatus.Error, cursor: "moved"), Throws.ArgumentException.With.Message.Contain("cursor"));
            Assert.That(Api.Requests, Has.Count.EqualTo(sent));
            Assert.That(Row.Status, Is.EqualTo("in_progress"));
        });
    }

    [Test]
    public async Task BeginRunAsync_carries_the_last_cursor_read_with_the_watermark_in_one_request()
    {
        Api.Seed(LastCursorTests.Run("orders", "success", T0, "older"), LastCursorTests.Run("orders", "success", T0.AddHours(1), "latest"));
        using var job = NewJob();

        await using var run = await job.BeginRunAsync();

        Assert.Multiple(() =>
        {
            Assert.That(run.LastCursor, Is.EqualTo("latest"));
            Assert.That(run.Since, Is.EqualTo(T0.AddHours(1)));
            Assert.That(Api.Requests.Count(r => r.Method == "GET"), Is.EqualTo(1), "the latest success holds both");
        });
        await run.SucceedAsync(0, cursor: "after");
    }

    [Test]
    public async Task BeginRunAsync_reads_an_earlier_cursor_when_the_latest_success_stored_none()
    {
        Api.Seed(LastCursorTests.Run("orders", "success", T0, "stored"), LastCursorTests.Run("orders", "success", T0.AddHours(1)));
        using var job = NewJob();

        await using var run = await job.BeginRunAsync();

        Assert.Multiple(() =>
        {
            Assert.That(run.LastCursor, Is.EqualTo("stored"));
            Assert.That(run.Since, Is.EqualTo(T0.AddHours(1)));
            Assert.That(Api.Requests.Count(r => r.Method == "GET"), Is.EqualTo(2));
        });
        await run.SucceedAsync();
    }

    [Test]
    public async Task On_a_table_without_the_column_a_run_begins_without_a_cursor_and_storing_one_is_an_error_naming_it()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { HeartbeatColumns = false, CursorColumn = false });
        api.Seed(LastCursorTests.Run("orders", "success", T0));
        using var job = new Job("orders", new JobOptions { Url = api.Url, Source = "crm", Destination = "warehouse", MaxRetryAttempts = 0 }, Http, Clock);

        await using var run = await job.BeginRunAsync();
        var error = Assert.ThrowsAsync<JobsApiException>(() => run.SucceedAsync(1, cursor: "x"));

        Assert.Multiple(async () =>
        {
            Assert.That(run.LastCursor, Is.Null);
            Assert.That(run.Since, Is.EqualTo(T0));
            Assert.That(api.Requests.Count(r => r.Method == "GET"), Is.EqualTo(1));
            Assert.That(error!.Message, Does.Contain("no cursor column").And.Contain("db/schema.sql"));
            Assert.That(run.HasOutcome, Is.False, "nothing was recorded");
            Assert.That((await run.SucceedAsync(1)).Status, Is.EqualTo(JobStatus.Success), "without a cursor the run still succeeds");
        });
    }

    [Test]
    public async Task Between_concurrent_runs_the_cursor_of_the_one_that_started_last_wins_whichever_ends_last()
    {
        using var early = NewJob();
        using var late = NewJob();
        await using var first = await early.BeginRunAsync();
        Clock.Advance(TimeSpan.FromSeconds(1));
        await using var second = await late.BeginRunAsync();

        await second.SucceedAsync(1, cursor: "from the later start");
        await first.SucceedAsync(1, cursor: "from the earlier start, ended last");

        Assert.That(await early.LastCursorAsync(), Is.EqualTo("from the later start"));
    }

    [Test]
    public async Task A_cursor_of_at_most_4096_bytes_of_UTF8_is_stored_and_a_longer_one_refused_before_anything_is_sent()
    {
        var fits = new string('€', 1365) + "a";              // 4095 + 1 bytes
        var tooLong = new string('€', 1365) + "é";           // 4095 + 2 bytes
        using var job = NewJob();
        await using var run = await job.BeginRunAsync();
        var sent = Api.Requests.Count;

        var refused = Assert.ThrowsAsync<ArgumentException>(() => run.SucceedAsync(1, cursor: tooLong));
        var empty = Assert.ThrowsAsync<ArgumentException>(() => run.SucceedAsync(1, cursor: string.Empty));
        Assert.That(Api.Requests, Has.Count.EqualTo(sent), "nothing sent for a refused cursor");
        await run.SucceedAsync(1, cursor: fits);

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetByteCount(fits), Is.EqualTo(JobCursor.MaxLength));
            Assert.That(refused!.Message, Does.Contain("4096").And.Contain("4097"));
            Assert.That(refused.ParamName, Is.EqualTo("cursor"));
            Assert.That(empty!.ParamName, Is.EqualTo("cursor"));
            Assert.That(Row.Cursor, Is.EqualTo(fits));
        });
    }

    [Test]
    public async Task A_NUL_in_a_cursor_is_stored_as_U_FFFD_as_in_a_message()
    {
        using var job = NewJob();

        await job.RunAsync((_, _) => Task.FromResult(new JobRunResult(1, "a\0b")));

        Assert.That(Row.Cursor, Is.EqualTo("a\uFFFDb"));
    }

    [Test]
    public async Task FinishAsync_records_a_cursor_that_cannot_be_stored_as_an_error_saying_so()
    {
        using var job = NewJob();
        await using var run = await job.BeginRunAsync();

        var error = Assert.ThrowsAsync<ArgumentException>(() => run.FinishAsync(1, cursor: new string('x', JobCursor.MaxLength + 1)));

        Assert.Multiple(() =>
        {
            Assert.That(Row.Status, Is.EqualTo("error"));
            Assert.That(Row.Message, Does.Contain("4096"));
            Assert.That(Row.Cursor, Is.Null);
            Assert.That(error!.ParamName, Is.EqualTo("cursor"));
        });
    }

    [Test]
    public async Task ResultAsync_records_the_cursor_and_its_earlier_forms_still_bind()
    {
        using var job = NewJob();
        await job.StartAsync();
        var recorded = await job.ResultAsync(JobStatus.Success, 3, "done", cursor: "42");
        await job.StartAsync();
        var positional = await job.ResultAsync(JobStatus.Success, 1, "done", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(recorded.Cursor, Is.EqualTo("42"));
            Assert.That(positional.Cursor, Is.Null);
            Assert.That(Api.Rows.Select(r => r.Cursor), Is.EqualTo(new[] { "42", null }));
        });
    }
}
