using System.Globalization;
using JobUtil.Reporting;
using JobUtil.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobUtil.Sample;

/// <summary>
/// The no-argument tour against an in-process FakeJobsApi: a full load, changes in the source, an incremental run
/// that copies only them (from the cursor the first run stored), a run that fails and is recorded as error without a
/// cursor, a run that recovers from the last good cursor, then the table of runs with the cursor each read and stored.
/// </summary>
public sealed partial class Demo(
    IncrementalCopy copy,
    OrdersSource source,
    OrdersDestination destination,
    FakeJobsApi api,
    IOptions<JobOptions> jobOptions,
    IHttpClientFactory httpClients,
    ILogger<Demo> logger)
{
    /// <returns>0 when every step behaved as an incremental load should; 1 otherwise.</returns>
    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await source.EnsureCreatedAsync(cancellationToken);
        var runs = new List<(string Step, CopyRun Run)>();

        LogStep(logger, "1. First run: no successful run yet, so no cursor: a full load");
        runs.Add(("first full load", await copy.RunOnceAsync(cancellationToken)));

        var changed = await source.SimulateActivityAsync(changed: 25, added: 10, cancellationToken);
        LogStep(logger, $"2. The source changes: 25 orders updated, 10 added ({changed} rows)");

        LogStep(logger, "3. Second run: only the orders updated since the first run's cursor (the greatest updated_at it copied) are copied");
        runs.Add(("incremental", await copy.RunOnceAsync(cancellationToken)));

        var bad = await source.AddAsync(new Order(0, "Acme", "gears", 0, DateTimeOffset.UtcNow), cancellationToken);
        LogStep(logger, $"4. An order with quantity 0 arrives (id {bad}); the destination refuses it, so this run fails");
        runs.Add(("failing", await copy.RunOnceAsync(cancellationToken)));

        await source.SetQuantityAsync(bad, 1, cancellationToken);
        LogStep(logger, "5. The order is fixed; the failed run stored no cursor, so the next run starts from the last good one and picks it up");
        runs.Add(("recovery", await copy.RunOnceAsync(cancellationToken)));

        var destinationCount = await destination.CountAsync(cancellationToken);
        Print(output, runs, destinationCount);
        await WriteReportAsync(output, cancellationToken);
        return Check(output, runs, destinationCount);
    }

    private void Print(TextWriter output, List<(string Step, CopyRun Run)> runs, long destinationCount)
    {
        output.WriteLine();
        output.WriteLine($"Runs of '{runs[0].Run.Run?.Name}' in the Jobs API ({api.Url}):");
        output.WriteLine();
        output.WriteLine($"  {"id",3}  {"step",-16} {"status",-8} {"cursor it read from",-27} {"cursor it stored",-27} {"records",8}  message");
        output.WriteLine($"  {new string('-', 3)}  {new string('-', 16)} {new string('-', 8)} {new string('-', 27)} {new string('-', 27)} {new string('-', 8)}  {new string('-', 30)}");
        var steps = runs.Where(r => r.Run.Run is not null).ToDictionary(r => r.Run.Run!.Id);
        foreach (var row in api.Rows)
        {
            var (step, run) = steps.TryGetValue(row.Id, out var known) ? known : ("(other)", new CopyRun(null, null, null));
            var from = run.From ?? "(none: full load)";
            var stored = row.Cursor ?? "(none)";
            var message = row.Message is { Length: > 60 } text ? text[..57] + "..." : row.Message ?? string.Empty;
            output.WriteLine($"  {row.Id,3}  {step,-16} {row.Status,-8} {from,-27} {stored,-27} {row.RecordsProcessed?.ToString(CultureInfo.InvariantCulture) ?? "-",8}  {message}");
        }

        output.WriteLine();
        output.WriteLine($"The destination ({destination.Path}) holds {destinationCount} orders.");
    }

    /// <summary>
    /// The same runs as a picture: the runs report, a self-contained HTML page to open in any browser, read through
    /// <see cref="JobFleet"/> like <c>jobutil report</c>: the fleet's health table, then the runs.
    /// </summary>
    private async Task WriteReportAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var fleet = new JobFleet(jobOptions.Value, httpClients.CreateClient(JobUtilServiceCollectionExtensions.HttpClientName));
        var health = await fleet.CheckAsync(new JobHealthPolicy { DefaultMaxAge = TimeSpan.FromDays(1) }, cancellationToken: cancellationToken);
        var first = api.Rows.Min(r => r.StartDate);
        var runs = await fleet.GetRunsAsync(first, cancellationToken: cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var margin = TimeSpan.FromTicks(Math.Max((now - first).Ticks / 10, TimeSpan.TicksPerSecond));

        var report = new JobRunsReport(now, first - margin, now + margin, JobRunsLane.FromHealth(health, runs)) { Title = "JobUtil sample: the tour's runs" };
        var path = Path.Combine(Path.GetDirectoryName(destination.Path)!, "runs-report.html");
        await File.WriteAllTextAsync(path, JobRunsReportHtml.Render(report), cancellationToken);
        output.WriteLine($"The runs as a picture (open it in a browser): {path}");
    }

    private static int Check(TextWriter output, List<(string Step, CopyRun Run)> runs, long destinationCount)
    {
        var counts = runs.Select(r => r.Run.Run?.RecordsProcessed).ToArray();
        var statuses = runs.Select(r => r.Run.Run?.Status.Value).ToArray();
        var cursors = runs.Select(r => r.Run.Run?.Cursor).ToArray();
        var ok = statuses.SequenceEqual(["success", "success", "error", "success"])
            && counts[1] < counts[0]
            && runs[0].Run.From is null
            && runs[1].Run.From == cursors[0]
            && cursors[2] is null
            && runs[3].Run.From == cursors[1]
            && string.CompareOrdinal(cursors[3], cursors[1]) > 0
            && destinationCount == counts[0] + 10 + 1;
        output.WriteLine(ok
            ? $"Incremental on a cursor: the first load copied {counts[0]} orders up to updated_at {cursors[0]}, the second only the {counts[1]} updated since; the failed run is recorded as error with no cursor, so the next run resumed from {cursors[1]}."
            : "Unexpected: the runs did not behave as an incremental load should (see the table above).");
        return ok ? 0 : 1;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Step}")]
    private static partial void LogStep(ILogger logger, string step);
}
