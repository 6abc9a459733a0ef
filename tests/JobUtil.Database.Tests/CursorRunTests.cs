using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Database.Tests;

/// <summary>
/// Runs that store cursors, through the library, against db/schema.sql on PostgreSQL (starts and outcomes sent as
/// PostgREST runs them): each kind of cursor round-trips to the next run; a failed run stores none; between overlapping
/// runs the one that started last wins; characters that need escaping come back exactly.
/// </summary>
public class CursorRunTests
{
    private const string Database = "cursor_runs";
    private static readonly HttpClient Http = new();

    private SqlPostgrest _server = null!;
    private FakeTimeProvider _clock = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await ClusterSetUp.CreateSchemaDatabaseAsync(Database);
        _server = SqlPostgrest.Start(Database);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [SetUp]
    public void NewClock() => _clock = new FakeTimeProvider(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero));

    [TestCase("timestamp")]
    [TestCase("integer")]
    [TestCase("a&b=c #2 100% it's \"q\" Müller 名前 😀")]
    public async Task A_cursor_round_trips_through_PostgreSQL_to_the_next_run(string kind)
    {
        var cursor = kind switch
        {
            "timestamp" => JobCursor.FromTimestamp(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_560)),
            "integer" => JobCursor.FromInt64(long.MinValue),
            _ => kind,
        };
        using var job = NewJob("round trip " + kind);
        string? seen = "unset";

        await job.RunAsync((last, _) => { seen = last; return Task.FromResult(new JobRunResult(1, cursor)); });
        _clock.Advance(TimeSpan.FromMinutes(1));
        string? next = null;
        await job.RunAsync((last, _) => { next = last; return Task.FromResult(new JobRunResult(0, null)); });

        Assert.Multiple(async () =>
        {
            Assert.That(seen, Is.Null);
            Assert.That(next, Is.EqualTo(cursor));
            Assert.That(await job.LastCursorAsync(), Is.EqualTo(cursor));
        });
    }

    [Test]
    public async Task A_failed_run_does_not_move_the_cursor()
    {
        using var job = NewJob("failing");
        await job.RunAsync((_, _) => Task.FromResult(new JobRunResult(1, "good")));
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.ThrowsAsync<IOException>(() => job.RunAsync((_, _) => Task.FromException<JobRunResult>(new IOException("disk full"))));
        _clock.Advance(TimeSpan.FromMinutes(1));
        string? next = null;
        await job.RunAsync((last, _) => { next = last; return Task.FromResult(new JobRunResult(0, null)); });

        Assert.That(next, Is.EqualTo("good"));
    }

    [Test]
    public async Task Between_overlapping_runs_the_cursor_of_the_one_that_started_last_wins()
    {
        using var early = NewJob("overlap");
        using var late = NewJob("overlap");
        await using var first = await early.BeginRunAsync();
        _clock.Advance(TimeSpan.FromSeconds(1));
        await using var second = await late.BeginRunAsync();

        await second.SucceedAsync(1, cursor: "later start");
        _clock.Advance(TimeSpan.FromSeconds(1));
        await first.SucceedAsync(1, cursor: "earlier start, ended last");

        Assert.That(await early.LastCursorAsync(), Is.EqualTo("later start"));
    }

    private Job NewJob(string name)
        => new(name, new JobOptions { Url = _server.Url, Source = "s", Destination = "d", MaxRetryAttempts = 0 }, Http, _clock);
}
