using System.CommandLine;
using System.Text;
using JobUtil.Reporting;

namespace JobUtil.Cli.Commands;

/// <summary>
/// <c>jobutil report</c>: every job's runs over the last days as one self-contained HTML page (the health table of
/// <c>jobutil status</c>, most urgent first, then the timeline and trends), written to a file whose full path is printed.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var output = CliCommands.RequiredText("--output", "The HTML file to write; replaced if it exists.");
        var days = OptionValues.WholeNumber("--days", "How many days back the timeline reaches, 1 to 366.", 1, 366, defaultValue: 7);
        var names = OptionValues.JobNames("Only this job; repeat for several (default: every job).");
        var thresholds = new HealthPolicyOptions(maxAgeRequired: false);

        var command = new Command("report", "Write every job's health and its runs over the last days as one self-contained HTML page.") { output, days, names };
        thresholds.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            var policy = thresholds.Resolve(parsed);
            var path = Path.GetFullPath(parsed.GetValue(output)!);
            var jobNames = parsed.GetValue(names) ?? [];
            using var client = new JobsApiClient();
            var fleet = client.CreateFleet(options);

            var health = await fleet.CheckAsync(policy, jobNames, cancellationToken).ConfigureAwait(false);
            var now = TimeProvider.System.GetUtcNow();
            var since = now.AddDays(-parsed.GetValue(days));
            var runs = await fleet.GetRunsAsync(since, jobNames, JobFleet.MaxRunLimit, cancellationToken).ConfigureAwait(false);
            if (runs.Count >= JobFleet.MaxRunLimit)
            {
                await console.Error.WriteLineAsync($"jobutil: the report shows the newest {JobFleet.MaxRunLimit} runs only; pass --days or --name to see fewer jobs or days.").ConfigureAwait(false);
            }

            // A run still in progress that started before the window is drawn too, up to now: it is what an operator looks for.
            var stuck = health.Where(h => h.Job?.OldestRunInProgressStart < since).ToList();
            if (stuck.Count > 0)
            {
                var oldest = stuck.Min(h => h.Job!.OldestRunInProgressStart!.Value);
                var older = await fleet.GetRunsAsync(oldest, stuck.Select(h => h.Name), JobFleet.MaxRunLimit, cancellationToken).ConfigureAwait(false);
                runs = [.. runs, .. older.Where(r => r.StartDate < since && r.Status == JobStatus.InProgress)];
            }

            var report = new JobRunsReport(now, since, now, JobRunsLane.FromHealth(health, runs));
            await File.WriteAllTextAsync(path, JobRunsReportHtml.Render(report), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync(path).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
