using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace JobUtil.HealthChecks;

/// <summary>
/// Observable gauges, on a meter named <c>JobUtil</c>, of what the last health check saw of each job:
/// <c>jobutil.job.last_success.timestamp</c> (Unix seconds of the job's latest success) and
/// <c>jobutil.job.runs.active</c> (its runs in progress), tagged <c>jobutil.job.name</c>. The names are provisional
/// until OpenTelemetry defines conventions for batch jobs.
/// </summary>
public sealed class JobFleetGauges : IDisposable
{
    /// <summary>The meter's name, as for the rest of JobUtil's metrics.</summary>
    public const string MeterName = "JobUtil";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, JobSummary> _jobs = new(StringComparer.Ordinal);

    /// <summary>Creates the gauges on a meter of their own (disposed with this object).</summary>
    public JobFleetGauges()
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge("jobutil.job.last_success.timestamp", ObserveLastSuccess, "s", "Unix time at which the job's latest successful run ended, as last checked.");
        _meter.CreateObservableGauge("jobutil.job.runs.active", ObserveRunning, "{run}", "Runs of the job in progress, as last checked.");
    }

    /// <summary>Records what a check saw; jobs it did not read keep their last values.</summary>
    /// <param name="jobs">The jobs checked.</param>
    public void Update(IEnumerable<JobHealth> jobs)
    {
        foreach (var job in jobs ?? throw new ArgumentNullException(nameof(jobs)))
        {
            if (job.Job is { } summary)
            {
                _jobs[job.Name] = summary;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveLastSuccess()
        => _jobs.Values
            .Where(j => j.LastSuccess is not null)
            .Select(j => new Measurement<double>(j.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, new KeyValuePair<string, object?>("jobutil.job.name", j.Name)));

    private IEnumerable<Measurement<long>> ObserveRunning()
        => _jobs.Values.Select(j => new Measurement<long>(j.RunsInProgress, new KeyValuePair<string, object?>("jobutil.job.name", j.Name)));
}
