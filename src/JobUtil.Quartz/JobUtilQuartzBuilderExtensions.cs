using JobUtil.Quartz;
using JobUtil.Quartz.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Quartz;

/// <summary>Turns tracked Quartz jobs into runs in the Jobs API.</summary>
public static class JobUtilQuartzBuilderExtensions
{
    /// <summary>
    /// Tracks every firing of a job whose class carries <see cref="TrackedRunAttribute"/> or whose key is listed in
    /// <see cref="JobUtilQuartzOptions.Jobs"/>: before it runs, its watermark is read and a run started; after, success
    /// is recorded with the count it reported, or error with its exception. Other jobs run as they always did.
    /// </summary>
    /// <param name="quartz">The scheduler's builder, from <c>services.AddQuartz(q => ...)</c>.</param>
    /// <param name="configure">Lists jobs to track by key, and their names; optional.</param>
    /// <returns><paramref name="quartz"/>.</returns>
    /// <remarks>Needs <c>services.AddJobUtil(...)</c>: runs are created by the registered <see cref="JobUtil.IJobFactory"/>.</remarks>
    public static IQuartzBuilder AddJobUtilTracking(this IQuartzBuilder quartz, Action<JobUtilQuartzOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(quartz);
        var options = quartz.Services.AddOptions<JobUtilQuartzOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Called again (to add jobs from configuration, say), it only adds to the options: one middleware per scheduler.
        if (quartz.Services.Any(d => d.ServiceType == typeof(TrackingRegistration) && d.ImplementationInstance is TrackingRegistration r && r.SchedulerName == quartz.SchedulerName))
        {
            return quartz;
        }

        quartz.Services.AddSingleton(new TrackingRegistration(quartz.SchedulerName));
        quartz.AddJobMiddleware(services => new TrackingMiddleware(
            services.GetService<JobUtil.IJobFactory>()
                ?? throw new InvalidOperationException("Tracking Quartz jobs needs the Jobs API client: call services.AddJobUtil(...) as well as AddJobUtilTracking()."),
            new TrackedJobResolver(services.GetRequiredService<IOptions<JobUtilQuartzOptions>>().Value)));
        return quartz;
    }

    /// <summary>
    /// As <see cref="AddJobUtilTracking(IQuartzBuilder, Action{JobUtilQuartzOptions}?)"/>, with the tracked jobs read
    /// from <paramref name="configuration"/> (such as the <c>JobUtil:Quartz</c> section): under <c>Jobs</c>, one
    /// section per job key, each with optional <c>Name</c>, <c>Source</c> and <c>Destination</c>.
    /// </summary>
    /// <param name="quartz">The scheduler's builder.</param>
    /// <param name="configuration">The section to read.</param>
    /// <returns><paramref name="quartz"/>.</returns>
    public static IQuartzBuilder AddJobUtilTracking(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return quartz.AddJobUtilTracking(options =>
        {
            foreach (var job in configuration.GetSection("Jobs").GetChildren())
            {
                options.Jobs[job.Key] = new TrackedJobOptions
                {
                    Name = NullIfEmpty(job["Name"]),
                    Source = NullIfEmpty(job["Source"]),
                    Destination = NullIfEmpty(job["Destination"]),
                };
            }
        });
    }

    private sealed record TrackingRegistration(string SchedulerName);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
