namespace JobUtil.Tests.Shared;

/// <summary>
/// Forty separate <see cref="Job"/> instances with the same name, source and destination start and finish two runs each,
/// all at once, over one <see cref="HttpClient"/>: sharded workers of one job, say. Shared by the tests against
/// FakeJobsApi and against PostgreSQL with db/schema.sql, which add the faults (responses lost after the commit).
/// </summary>
internal static class SameNameStarts
{
    public const int Jobs = 40;
    public const int RunsPerJob = 2;
    public const string Name = "sharded_load";

    /// <summary>One start: the run it returned (null when it failed), its failure, and whether its outcome was recorded.</summary>
    public sealed record Start(int Job, long? RunId, Exception? Error, bool Recorded);

    /// <summary>A row as the checks need it.</summary>
    public sealed record StoredRun(long Id, string Status, string? Message, long? RecordsProcessed);

    public static async Task<IReadOnlyList<Start>> RunAsync(string url, HttpClient http, RunKeyMode runKey)
    {
        var jobs = Enumerable.Range(0, Jobs).Select(i => Task.Run(() => RunJobAsync(url, http, runKey, i)));
        var starts = await Task.WhenAll(jobs).WaitAsync(TimeSpan.FromMinutes(3));
        return [.. starts.SelectMany(s => s)];
    }

    /// <summary>
    /// Exactly-once: no two starts returned the same run, and every row was returned by exactly one start or was ended
    /// with a reason (a failed start's clean-up, or recovery). A run whose outcome was recorded holds it.
    /// </summary>
    public static void AssertExactlyOnce(IReadOnlyList<Start> starts, IReadOnlyList<StoredRun> rows)
    {
        var returned = starts.Where(s => s.RunId is not null).Select(s => s.RunId!.Value).ToList();
        TestContext.Out.WriteLine($"{returned.Count} of {starts.Count} starts returned a run; {rows.Count} rows; {starts.Count(s => s.Error?.Message.Contains("could not be identified", StringComparison.Ordinal) == true)} starts could not be identified; {rows.Count(r => r.Status == "error")} rows ended as error");
        Assert.Multiple(() =>
        {
            Assert.That(returned, Is.Unique, "no two starts returned the same run");
            Assert.That(starts.Where(s => s.RunId is null).Select(s => s.Error), Is.All.InstanceOf<JobsApiException>(), "a start that fails, fails with JobsApiException");
            foreach (var row in rows)
            {
                var owners = starts.Where(s => s.RunId == row.Id).ToList();
                if (owners.Count == 1)
                {
                    if (owners[0].Recorded)
                    {
                        Assert.That((row.Status, row.RecordsProcessed), Is.EqualTo(("success", (long?)owners[0].Job)), $"run {row.Id}: the outcome its start recorded");
                    }
                }
                else
                {
                    Assert.That(row.Status, Is.EqualTo("error"), $"run {row.Id} was returned by no start, so it was ended");
                    Assert.That(row.Message, Is.Not.Empty, $"run {row.Id}: ended with a reason");
                }
            }
        });
    }

    private static async Task<List<Start>> RunJobAsync(string url, HttpClient http, RunKeyMode runKey, int i)
    {
        var options = new JobOptions
        {
            Url = url,
            Source = "crm",
            Destination = "warehouse",
            RunKey = runKey,
            MaxRetryAttempts = 8,
            RetryBaseDelay = TimeSpan.Zero,
            MaxRetryDelay = TimeSpan.Zero,
        };
        using var job = new Job(Name, options, http);
        var starts = new List<Start>();
        for (var n = 0; n < RunsPerJob; n++)
        {
            JobRun run;
            try
            {
                run = await job.StartRunAsync();
            }
            catch (Exception e)
            {
                starts.Add(new Start(i, null, e, false));
                continue;
            }

            try
            {
                await run.SucceedAsync(i);
                starts.Add(new Start(i, run.Id, null, true));
            }
            catch (JobsApiException e)
            {
                starts.Add(new Start(i, run.Id, e, false));
            }
        }

        return starts;
    }
}
