using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JobUtil.Cli.Commands;

/// <summary><c>jobutil status</c>: every job's latest run, latest success, runs in progress and health, as a table, JSON lines or Prometheus metrics.</summary>
internal static class StatusCommand
{
    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var json = OptionValues.Switch("--json", "Print each job as one JSON line (the same as --format json).");
        var format = new Option<string>("--format")
        {
            Description = "text (an aligned table), json (one line per job) or prometheus (the text exposition format, for node_exporter's textfile collector).",
            DefaultValueFactory = _ => "text",
        }.OneOf("text", "json", "prometheus");
        var thresholds = new HealthPolicyOptions(maxAgeRequired: false);

        var command = new Command("status", "Show every job's last run, last success and its age, runs in progress, and health.") { json, format };
        thresholds.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(json) && result.GetValue(format) is { } other && other is not ("text" or "json"))
            {
                result.AddError("--json cannot be combined with --format " + result.GetValue(format) + ".");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            var policy = thresholds.Resolve(parsed);
            using var client = new JobsApiClient();
            var fleet = client.CreateFleet(options);
            var output = parsed.GetValue(json) ? "json" : parsed.GetValue(format);

            if (output == "prometheus")
            {
                var jobs = await fleet.GetJobsAsync(cancellationToken).ConfigureAwait(false);
                await console.Out.WriteAsync(PrometheusText.Format(jobs)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var health = await fleet.CheckAsync(policy, cancellationToken: cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            if (output == "json")
            {
                foreach (var job in health)
                {
                    await console.Out.WriteLineAsync(JsonSerializer.Serialize(StatusLine.From(job, now), StatusJsonContext.Default.StatusLine)).ConfigureAwait(false);
                }
            }
            else
            {
                await console.Out.WriteAsync(FleetText.Table(health, now)).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>One job as <c>jobutil status --json</c> prints it.</summary>
internal sealed record StatusLine(
    string Name,
    string? LastStatus,
    DateTimeOffset? LastStart,
    DateTimeOffset? LastEnd,
    DateTimeOffset? LastSuccess,
    double? LastSuccessAgeSeconds,
    int RunsInProgress,
    int ConsecutiveFailures,
    string Health,
    string Reason,
    string? Cursor)
{
    public static StatusLine From(JobHealth health, DateTimeOffset now) => new(
        health.Name,
        health.Job?.LastRun.Status.Value,
        health.Job?.LastRun.StartDate,
        health.Job?.LastRun.EndDate,
        health.Job?.LastSuccess,
        health.Job?.LastSuccess is { } success ? Math.Round((now - success).TotalSeconds, 3) : null,
        health.Job?.RunsInProgress ?? 0,
        health.Job?.ConsecutiveFailures ?? 0,
        FleetText.State(health.State),
        health.Reason,
        health.Job?.LastCursor);
}

/// <summary>The serializer context of <see cref="StatusLine"/>: snake_case, source-generated for Native AOT.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(StatusLine))]
internal sealed partial class StatusJsonContext : JsonSerializerContext
{
}
