using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace JobUtil.HealthChecks;

/// <summary>
/// Judges the jobs of a Jobs API with <see cref="JobFleet.CheckAsync"/>: Healthy when every job checked is healthy;
/// Degraded when the only problems are jobs that are late or running too long; otherwise the registration's failure
/// status (Unhealthy unless set), which is also the answer when the Jobs API cannot be read. One data entry per job.
/// </summary>
public sealed class JobUtilHealthCheck : IHealthCheck
{
    private readonly JobFleet _fleet;
    private readonly JobUtilHealthCheckOptions _options;
    private readonly JobFleetGauges? _gauges;

    /// <summary>Creates the check.</summary>
    /// <param name="fleet">Reads the jobs.</param>
    /// <param name="options">The jobs to check and the thresholds.</param>
    /// <param name="gauges">Where each job's last success is published as a metric; none when null.</param>
    public JobUtilHealthCheck(JobFleet fleet, JobUtilHealthCheckOptions options, JobFleetGauges? gauges = null)
    {
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _gauges = gauges;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        IReadOnlyList<JobHealth> jobs;
        try
        {
            jobs = await _fleet.CheckAsync(_options.Policy, _options.Jobs, cancellationToken).ConfigureAwait(false);
        }
        catch (JobsApiException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The Jobs API could not be read: {e.Message}", e);
        }

        _gauges?.Update(jobs);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            data[job.Name] = $"{Name(job.State)}: {job.Reason}";
        }

        var unhealthy = jobs.Where(j => !j.IsHealthy).ToList();
        if (unhealthy.Count == 0)
        {
            return HealthCheckResult.Healthy($"{Count(jobs.Count)} healthy.", data);
        }

        var status = unhealthy.TrueForAll(j => j.State is JobHealthState.Late or JobHealthState.RunningTooLong)
            ? HealthStatus.Degraded
            : context.Registration.FailureStatus;
        var description = $"{unhealthy.Count.ToString(CultureInfo.InvariantCulture)} of {Count(jobs.Count)} unhealthy: "
            + string.Join(", ", unhealthy.Select(j => $"{j.Name} ({Name(j.State)})"));
        return new HealthCheckResult(status, description, null, data);
    }

    private static string Count(int n) => n == 1 ? "1 job" : $"{n.ToString(CultureInfo.InvariantCulture)} jobs";

    private static string Name(JobHealthState state) => state switch
    {
        JobHealthState.RunningTooLong => "running_too_long",
        JobHealthState.NeverSucceeded => "never_succeeded",
        JobHealthState.NeverRan => "never_ran",
        _ => state.ToString().ToLowerInvariant(),
    };
}
