using JobUtil.Testing;

namespace JobUtil.Tests.Records;

/// <summary>
/// Forty jobs on one <see cref="HttpClient"/> against a Jobs API that fails at random (503s, dropped connections,
/// writes committed and then dropped, lookups dropped): every start returns its run or fails, and the table holds
/// exactly one row per returned start, with the outcome recorded; with the run_key column or without it.
/// </summary>
public sealed class ManyJobsUnderFaultsTests
{
    private const int Jobs = 40;

    [Test]
    public async Task Forty_jobs_under_random_faults_leave_one_row_per_start_with_its_outcome(
        [Values(1, 2, 3, 4, 5)] int seed, [Values] bool runKeyColumn)
    {
        // Without run_key a lost start is found by its exact start date (the column keeps microseconds here).
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { RunKeyColumn = runKeyColumn });
        using var http = new HttpClient();
        PlanFaults(api, new Random(seed));

        var results = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i => Task.Run(() => RunOneAsync(api, http, i))))
            .WaitAsync(TimeSpan.FromMinutes(2));

        var rows = api.Rows;
        TestContext.Out.WriteLine($"seed {seed}: {results.Count(r => r.RunId is not null)} starts returned, {results.Count(r => r.Recorded)} outcomes recorded, {rows.Count(r => r.Message?.StartsWith("The start failed", StringComparison.Ordinal) == true)} failed starts ended, {rows.Count(r => r.Status == "in_progress")} rows left in progress");
        Assert.Multiple(() =>
        {
            foreach (var result in results)
            {
                var own = rows.Where(r => r.Name == result.Name).ToList();
                if (result.RunId is { } id)
                {
                    Assert.That(own, Has.Count.EqualTo(1), $"{result.Name}: one row for its start");
                    Assert.That(own.Single().Id, Is.EqualTo(id), $"{result.Name}: the row is the run it returned");
                    var row = own.Single();
                    if (result.Recorded)
                    {
                        Assert.That(row.Status, Is.EqualTo(result.Status), $"{result.Name}: the outcome recorded");
                        Assert.That(row.RecordsProcessed, Is.EqualTo(result.Count), $"{result.Name}: the count recorded");
                    }
                    else
                    {
                        Assert.That(row.Status, Is.EqualTo("in_progress").Or.EqualTo(result.Status), $"{result.Name}: an outcome that failed leaves the run in progress or recorded");
                    }
                }
                else
                {
                    Assert.That(result.Error, Is.InstanceOf<JobsApiException>(), $"{result.Name}: a start that fails, fails with JobsApiException");
                    Assert.That(own, Has.Count.LessThanOrEqualTo(1), $"{result.Name}: a failed start leaves at most its own row");
                    if (own.Count == 1 && own[0].Status != "in_progress")
                    {
                        Assert.That(own[0].Status, Is.EqualTo("error"));
                        Assert.That(own[0].Message, Does.StartWith("The start failed before its outcome was known"), $"{result.Name}: a failed start's row is ended with the reason");
                    }
                }
            }
        });

        // One recovery pass, an hour later, ends whatever is left in progress. Faults still planned may strike it too:
        // a PATCH committed and then dropped ends its run although the pass cannot list it.
        var left = rows.Count(r => r.Status == "in_progress");
        var anHourLater = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var fleet = new JobFleet(new JobOptions { Url = api.Url, MaxRetryAttempts = 20, RetryBaseDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, http, anHourLater);
        var ended = await fleet.RecoverStaleRunsAsync(TimeSpan.FromMinutes(30));

        Assert.That(ended, Has.Count.LessThanOrEqualTo(left));
        Assert.That(ended.Select(r => r.Status.Value), Is.All.EqualTo("error"));
        Assert.That(api.Rows.Where(r => r.Status == "in_progress"), Is.Empty);
    }

    /// <summary>Sixty faults, in a seeded random order, that the forty jobs' requests run into as they come.</summary>
    private static void PlanFaults(FakeJobsApi api, Random random)
    {
        for (var i = 0; i < 60; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                    api.FailNext(1, 503);
                    break;
                case 1:
                    api.FailNext(1, 0);
                    break;
                case 2:
                    api.FailNextAfterCommit(1, 0, "POST");
                    break;
                case 3:
                    api.FailNextAfterCommit(1, 0, "PATCH");
                    break;
                case 4:
                    api.FailNext(1, 0, "GET");
                    break;
                default:
                    api.FailNextAfterCommit(1, 502, "POST");
                    break;
            }
        }
    }

    private static async Task<Result> RunOneAsync(FakeJobsApi api, HttpClient http, int i)
    {
        var name = $"job_{i:00}";
        var options = new JobOptions
        {
            Url = api.Url,
            Source = "crm",
            Destination = "warehouse",
            // Some jobs have few retries, so that some starts and outcomes fail for good.
            MaxRetryAttempts = 1 + (i % 3),
            RetryBaseDelay = TimeSpan.Zero,
            MaxRetryDelay = TimeSpan.Zero,
        };
        using var job = new Job(name, options, http);
        var fails = i % 4 == 0;
        var result = new Result(name, fails ? "error" : "success", fails ? null : i);

        JobRun run;
        try
        {
            run = await job.StartRunAsync();
        }
        catch (Exception e)
        {
            return result with { Error = e };
        }

        result = result with { RunId = run.Id };
        try
        {
            if (fails)
            {
                await run.FailAsync($"job {i} failed");
            }
            else
            {
                await run.SucceedAsync(i);
            }

            return result with { Recorded = true };
        }
        catch (JobsApiException e)
        {
            return result with { Error = e };
        }
    }

    private sealed record Result(string Name, string Status, int? Count)
    {
        public long? RunId { get; init; }

        public bool Recorded { get; init; }

        public Exception? Error { get; init; }
    }
}
