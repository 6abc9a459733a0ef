using JobUtil.Testing;
using JobUtil.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Tests.Records;

/// <summary>
/// Exactly-once starts: forty Job instances of one job (same name, source and destination) start two runs each at once
/// while responses are lost after the insert was committed. No two starts ever share a run: with run_key each start finds
/// its own row by its key, at any precision of start_date; without it a start adopts only a row with exactly the start
/// date it sent, and fails rather than guess.
/// </summary>
public sealed class SameNameStartsTests
{
    [Test]
    public async Task With_run_key_every_start_succeeds_and_no_run_is_shared(
        [Values(6, 3, 0)] int precision, [Values(1, 2)] int seed)
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { StartDatePrecision = precision });
        using var http = new HttpClient();
        PlanFaults(api, new Random(seed));

        var starts = await SameNameStarts.RunAsync(api.Url, http, RunKeyMode.Auto);

        SameNameStarts.AssertExactlyOnce(starts, Stored(api));
        Assert.Multiple(() =>
        {
            Assert.That(starts.Where(s => s.Error is not null).Select(s => s.Error!.Message), Is.Empty, "every start and outcome succeeded");
            Assert.That(api.Rows, Has.Count.EqualTo(SameNameStarts.Jobs * SameNameStarts.RunsPerJob), "one row per start");
            Assert.That(api.Rows.Select(r => r.RunKey), Is.All.Not.Null);
            Assert.That(api.Rows.Select(r => r.RunKey), Is.Unique);
        });
    }

    [Test]
    public async Task Without_run_key_no_run_is_shared_and_what_cannot_be_identified_is_left_for_recovery(
        [Values(6, 3, 0)] int precision, [Values(1, 2)] int seed)
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { StartDatePrecision = precision, RunKeyColumn = false });
        using var http = new HttpClient();
        PlanFaults(api, new Random(seed));

        var starts = await SameNameStarts.RunAsync(api.Url, http, RunKeyMode.Auto);

        // What no start could identify is an orphan: one recovery pass, an hour later, ends it with a reason.
        var anHourLater = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var fleet = new JobFleet(new JobOptions { Url = api.Url, MaxRetryAttempts = 20, RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, http, anHourLater);
        await fleet.RecoverStaleRunsAsync(TimeSpan.FromMinutes(30));

        SameNameStarts.AssertExactlyOnce(starts, Stored(api));
        var failed = starts.Where(s => s.RunId is null).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(failed.Select(s => s.Error!.Message), Is.All.Contain("could not be identified").And.All.Contain("run_key").And.All.Contain("db/schema.sql"), "a start fails only when it cannot tell its row from another's");
            Assert.That(starts.Where(s => s.RunId is not null && !s.Recorded).Select(s => s.Error!.Message), Is.Empty, "every run a start returned had its outcome recorded");
            if (precision == 6)
            {
                Assert.That(failed, Is.Empty, "a column that keeps microseconds identifies every start by its exact start_date");
            }

            // Each Job learned once that the table has no run_key: one refused POST per Job, not per start.
            Assert.That(api.Requests.Count(r => r.Method == "POST" && r.Status == 400), Is.EqualTo(SameNameStarts.Jobs));
        });
    }

    private static List<SameNameStarts.StoredRun> Stored(FakeJobsApi api)
        => [.. api.Rows.Select(r => new SameNameStarts.StoredRun(r.Id, r.Status, r.Message, r.RecordsProcessed))];

    /// <summary>Thirty faults, mostly starts whose insert is committed and whose response is then lost, in a seeded order.</summary>
    private static void PlanFaults(FakeJobsApi api, Random random)
    {
        for (var i = 0; i < 30; i++)
        {
            switch (random.Next(6))
            {
                case 0 or 1:
                    api.FailNextAfterCommit(1, 0, "POST");
                    break;
                case 2:
                    api.FailNextAfterCommit(1, 502, "POST");
                    break;
                case 3:
                    api.FailNextAfterCommit(1, 504, "POST");
                    break;
                case 4:
                    api.FailNext(1, 503, "GET");
                    break;
                default:
                    api.FailNextAfterCommit(1, 0, "PATCH");
                    break;
            }
        }
    }
}
