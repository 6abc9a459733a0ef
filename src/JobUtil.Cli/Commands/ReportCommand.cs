using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using JobUtil.Reporting;

namespace JobUtil.Cli.Commands;

/// <summary>
/// <c>jobutil report</c>: every job's runs over the last days as one self-contained HTML page (health table,
/// timeline, trends), written to a file whose full path is printed.
/// </summary>
internal static class ReportCommand
{
    /// <summary>The most runs one report reads; a fleet's month is far fewer.</summary>
    internal const int MaxRuns = 100_000;

    public static Command Create(CliConsole console, ConnectionOptions connection)
    {
        var output = CliCommands.RequiredText("--output", "The HTML file to write; replaced if it exists.");
        var days = OptionValues.WholeNumber("--days", "How many days back the timeline reaches, 1 to 366 (default 7).", 1, 366, 7);
        var names = new Option<string[]>("--name") { Description = "Only this job; repeat for several (default: every job with a run in the window)." };
        names.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string[]>()?.Any(string.IsNullOrWhiteSpace) == true)
            {
                result.AddError("--name must not be empty.");
            }
        });

        var command = new Command("report", "Write every job's runs over the last days as one self-contained HTML page.") { output, days, names };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = connection.Resolve(parsed, console);
            var path = Path.GetFullPath(parsed.GetValue(output)!);
            var jobNames = parsed.GetValue(names) ?? [];
            var now = TimeProvider.System.GetUtcNow();
            var since = now.AddDays(-parsed.GetValue(days));

            var runs = await LoadRunsAsync(options, jobNames, since, cancellationToken).ConfigureAwait(false);
            if (runs.Count >= MaxRuns)
            {
                await console.Error.WriteLineAsync($"jobutil: the report shows the first {MaxRuns} runs only; pass --days or --name to see fewer jobs or days.").ConfigureAwait(false);
            }

            var byJob = runs.ToLookup(r => r.Name, StringComparer.Ordinal);
            var lanes = byJob.Select(g => g.Key).Union(jobNames, StringComparer.Ordinal)
                .OrderBy(n => n, StringComparer.Ordinal)
                .Select(n => InterimHealthLane(n, byJob[n].ToList()));
            var report = new JobRunsReport(now, since, now, lanes);

            await File.WriteAllTextAsync(path, JobRunsReportHtml.Render(report), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync(path).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// INTERIM data loading, until the library offers a read of every job's runs since a time: then this method
    /// becomes that one call. It reads the runs that overlap the window straight from the Jobs API: every run that
    /// ended since <paramref name="since"/>, and every run still in progress however long ago it started.
    /// </summary>
    internal static async Task<IReadOnlyList<JobRecord>> LoadRunsAsync(JobOptions options, IReadOnlyList<string> names, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var filter = new StringBuilder("order=name.asc,start_date.asc,id.asc&limit=").Append(MaxRuns.ToString(CultureInfo.InvariantCulture));
        if (names.Count > 0)
        {
            // PostgREST's list syntax: each name double-quoted, with " and \ escaped by a backslash.
            var quoted = names.Select(n => "\"" + n.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");
            filter.Append("&name=in.").Append(Uri.EscapeDataString("(" + string.Join(",", quoted) + ")"));
        }

        using var http = new HttpClient { Timeout = options.TotalTimeout };
        var ended = await GetAsync(http, options, $"{filter}&end_date=gte.{Uri.EscapeDataString(since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))}", cancellationToken).ConfigureAwait(false);
        var running = await GetAsync(http, options, $"{filter}&end_date=is.null", cancellationToken).ConfigureAwait(false);
        return [.. ended.Concat(running).Take(MaxRuns)];
    }

    private static async Task<JobRecord[]> GetAsync(HttpClient http, JobOptions options, string query, CancellationToken cancellationToken)
    {
        const string operation = "Reading the runs for the report";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{options.Url}?{query}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(options.Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new JobsApiException($"{operation} failed: {e.Message}", e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new JobsApiException((int)response.StatusCode, $"{operation} failed with HTTP {(int)response.StatusCode}: {(body.Length > 300 ? body[..300] : body)}");
            }

            try
            {
                using var rows = JsonDocument.Parse(body);
                return [.. rows.RootElement.EnumerateArray().Select(ToRecord)];
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw new JobsApiException((int)response.StatusCode, $"{operation}: the response is not a list of runs ({e.Message}).", innerException: e);
            }
        }
    }

    private static JobRecord ToRecord(JsonElement row)
    {
        static DateTimeOffset? Time(JsonElement value)
            => value.ValueKind == JsonValueKind.Null ? null : Timestamps.Parse(value.GetString()!) ?? throw new FormatException($"'{value}' is not a timestamp.");

        return new JobRecord(
            row.GetProperty("id").GetInt64(),
            row.GetProperty("name").GetString()!,
            Time(row.GetProperty("start_date"))!.Value,
            Time(row.GetProperty("end_date")),
            row.GetProperty("message").GetString(),
            new JobStatus(row.GetProperty("status").GetString()!),
            row.GetProperty("records_processed") is { ValueKind: JsonValueKind.Number } count ? count.GetInt64() : null,
            row.GetProperty("source").GetString()!,
            row.GetProperty("destination").GetString()!);
    }

    /// <summary>
    /// INTERIM health, until the library's fleet health evaluation takes its place: a plain reading of the job's
    /// latest runs in the window, not an evaluation of lateness or staleness.
    /// </summary>
    internal static JobRunsLane InterimHealthLane(string name, IReadOnlyList<JobRecord> runs)
    {
        var latestFinished = runs.LastOrDefault(r => r.Status.IsFinal);
        var (state, reason, rank) =
            runs.Count == 0 ? ("no runs", "no run in the window", 1)
            : latestFinished is null ? ("running", "its only runs in the window are in progress", 2)
            : latestFinished.Status == JobStatus.Success ? ("healthy", $"the latest finished run succeeded, at {latestFinished.EndDate?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC", 3)
            : ("failing", $"the latest finished run ended as {latestFinished.Status}: {latestFinished.Message ?? "no message"}", 0);
        return new JobRunsLane(name, runs) { HealthState = state, HealthReason = reason, UrgencyRank = rank };
    }
}
