namespace JobUtil.Tests.Core;

/// <summary>
/// The README's quick start, compiled and run by <see cref="QuickStartTests"/> so that it cannot rot. Only the
/// url, the token and the ETL body are parameters here; the rest is the README's text.
/// </summary>
internal static class QuickStart
{
    public static async Task MostRecentStartResultAsync(string url, string? token, Func<DateTimeOffset?, CancellationToken, Task<long>> LoadChangesAsync)
    {
        using var job = new Job(name: "my_etl_job", url: url,
                                source: "inventory_system", destination: "data_warehouse",
                                auth: token);

        DateTimeOffset? since = await job.MostRecentAsync();    // null on the first run
        await job.StartAsync();                                  // a new row, status in_progress
        try
        {
            long count = await LoadChangesAsync(since, default); // your ETL: what changed since the watermark
            await job.ResultAsync(JobStatus.Success, recordsProcessed: count);
        }
        catch (Exception e)
        {
            await job.ResultAsync(JobStatus.Error, message: e.Message);
            throw;
        }
    }

    public static async Task<long> RunAsync(string url, string? token, Func<DateTimeOffset?, CancellationToken, Task<long>> LoadChangesAsync, CancellationToken cancellationToken)
    {
        using var job = new Job("my_etl_job", url, "inventory_system", "data_warehouse", token);

        long n = await job.RunAsync((since, ct) => LoadChangesAsync(since, ct), cancellationToken);
        return n;
    }

    public static async Task RunHandleAsync(string url, string? token, Func<DateTimeOffset?, CancellationToken, Task<long>> LoadChangesAsync, CancellationToken cancellationToken)
    {
        using var job = new Job("my_etl_job", url, "inventory_system", "data_warehouse", token);

        DateTimeOffset? since = await job.MostRecentAsync(cancellationToken);
        await using JobRun run = await job.StartRunAsync(cancellationToken);  // disposed without an outcome: recorded as error
        long count = await LoadChangesAsync(since, cancellationToken);
        await run.SucceedAsync(count, cancellationToken: cancellationToken);
    }
}
