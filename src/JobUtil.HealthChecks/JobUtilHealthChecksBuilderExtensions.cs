using JobUtil;
using JobUtil.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the JobUtil health check.</summary>
public static class JobUtilHealthChecksBuilderExtensions
{
    /// <summary>The default name of the check.</summary>
    public const string DefaultName = "jobutil";

    /// <summary>
    /// Adds a health check of the jobs of the Jobs API registered with <c>services.AddJobUtil(...)</c> (its
    /// <see cref="JobOptions"/> and its <c>JobUtil</c> HttpClient; Source and Destination are not needed):
    /// Healthy, Degraded (only late or running too long) or <paramref name="failureStatus"/>, with one data entry per job.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the jobs to check and the thresholds.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">What a failing, stale or never-succeeded job, or an unreadable Jobs API, reports (default Unhealthy).</param>
    /// <param name="tags">Tags to filter checks by (readiness, liveness).</param>
    /// <param name="timeout">How long the check may take; the Jobs API's own timeouts apply within it.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddJobUtil(
        this IHealthChecksBuilder builder,
        Action<JobUtilHealthCheckOptions>? configure = null,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A health check's name must not be empty.", nameof(name));
        }

        if (configure is not null)
        {
            builder.Services.Configure(name, configure);
        }

        builder.Services.TryAddSingleton<JobFleetGauges>();
        return builder.Add(new HealthCheckRegistration(name, services => Create(services, name), failureStatus, tags, timeout));
    }

    private static JobUtilHealthCheck Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<JobUtilHealthCheckOptions>>().Get(name);
        var fleet = new JobFleet(
            services.GetRequiredService<IOptions<JobOptions>>().Value,
            services.GetRequiredService<IHttpClientFactory>().CreateClient(JobUtilServiceCollectionExtensions.HttpClientName),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>());
        return new JobUtilHealthCheck(fleet, options, services.GetRequiredService<JobFleetGauges>());
    }
}
