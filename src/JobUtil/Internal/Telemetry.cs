using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace JobUtil.Internal;

/// <summary>The <c>JobUtil</c> activity source and meter. Names and tags are listed in the README.</summary>
internal static class Telemetry
{
    public const string Name = "JobUtil";

    public const string JobNameTag = "jobutil.job.name";
    public const string RunIdTag = "jobutil.run.id";
    public const string StatusTag = "jobutil.run.status";
    public const string HttpStatusTag = "http.response.status_code";
    public const string ErrorTypeTag = "error.type";

    private static readonly string Version = typeof(Telemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public static readonly ActivitySource Source = new(Name, Version);

    public static readonly Meter Meter = new(Name, Version);

    /// <summary>Runs that ended, tagged with job name and final status.</summary>
    public static readonly Counter<long> Runs = Meter.CreateCounter<long>("jobutil.runs", "{run}", "Job runs that recorded an outcome.");

    /// <summary>Duration of runs that ended, in seconds.</summary>
    public static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("jobutil.run.duration", "s", "Duration of job runs, from start to recorded outcome.");

    /// <summary>Records processed by runs that ended.</summary>
    public static readonly Counter<long> RecordsProcessed = Meter.CreateCounter<long>("jobutil.records_processed", "{record}", "Records processed by job runs.");

    /// <summary>
    /// Runs this process has started and not yet ended: +1 when a start is recorded, -1 when its outcome is (or when
    /// it is abandoned), tagged with the job name.
    /// </summary>
    public static readonly UpDownCounter<long> RunsActive = Meter.CreateUpDownCounter<long>("jobutil.runs.active", "{run}", "Job runs this process has started and not yet ended.");

    public static Activity? StartOperation(string operation, string jobName)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(operation, ActivityKind.Client);
        activity?.SetTag(JobNameTag, jobName);
        return activity;
    }

    /// <summary>Tags the operation's activity, when there is one, with the HTTP status of each response.</summary>
    public static void ResponseReceived(HttpResponseMessage response)
    {
        // Activity.Current may be the caller's own activity when nobody listens to ours: tag only ours.
        if (Activity.Current is { } activity && ReferenceEquals(activity.Source, Source))
        {
            activity.SetTag(HttpStatusTag, (int)response.StatusCode);
        }
    }

    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        if (exception is JobsApiException api && api.Status != 0)
        {
            activity.SetTag(HttpStatusTag, api.Status);
        }

        activity.SetTag(ErrorTypeTag, exception.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, RunRules.MessageOf(exception));
    }

    public static void RecordOutcome(JobRecord run)
    {
        var tags = new TagList { { JobNameTag, run.Name }, { StatusTag, run.Status.Value } };
        Runs.Add(1, tags);
        if (run.Duration is { } duration)
        {
            RunDuration.Record(duration.TotalSeconds, tags);
        }

        if (run.RecordsProcessed is { } records)
        {
            RecordsProcessed.Add(records, tags);
        }
    }
}
