using Hangfire.Common;
using JobUtil;
using JobUtil.Hangfire;
using JobUtil.Hangfire.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hangfire;

/// <summary>Turns tracked Hangfire jobs into runs in the Jobs API.</summary>
public static class JobUtilHangfireServiceCollectionExtensions
{
    /// <summary>
    /// Tracks every execution of a job whose method or class carries <see cref="TrackedRunAttribute"/>: before the
    /// method runs, its watermark is read and a run started; after, success is recorded with the count it returned or
    /// reported, or error with its exception. Other jobs run as they always did. Also registers
    /// <see cref="ITrackedRunAccessor"/>.
    /// </summary>
    /// <param name="services">The services that <c>services.AddHangfire(...)</c> and <c>services.AddJobUtil(...)</c> register into.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <remarks>
    /// The tracking is a server filter added through the registered <see cref="IJobFilterProvider"/>, which the servers
    /// of <c>services.AddHangfireServer()</c> use: it applies to this service provider's servers only, never to
    /// Hangfire's process-wide <c>GlobalJobFilters</c>. Call it once, before or after <c>AddHangfire</c>. Needs
    /// <c>services.AddJobUtil(...)</c>: runs are created by the registered <see cref="IJobFactory"/>.
    /// </remarks>
    public static IServiceCollection AddJobUtilTracking(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(TrackingRegistration)))
        {
            return services;
        }

        services.AddSingleton<TrackingRegistration>();
        services.TryAddSingleton<ITrackedRunAccessor, TrackedRunAccessor>();

        // Wrap the provider AddHangfire registered (or will: it only adds one when none is there); without one, the
        // one Hangfire uses by default.
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IJobFilterProvider) && !d.IsKeyedService);
        if (registered is not null)
        {
            services.Remove(registered);
        }

        services.AddSingleton<IJobFilterProvider>(provider =>
        {
            var inner = registered is null ? JobFilterProviders.Providers : Resolve(registered, provider);
            var jobs = provider.GetService<IJobFactory>()
                ?? throw new InvalidOperationException("Tracking Hangfire jobs needs the Jobs API client: call services.AddJobUtil(...) as well as AddJobUtilTracking().");
            var tracked = new TrackedJobs();
            return new TrackingFilterProvider(inner, new TrackingFilter(jobs, tracked), tracked);
        });
        return services;
    }

    private static IJobFilterProvider Resolve(ServiceDescriptor descriptor, IServiceProvider provider)
        => (IJobFilterProvider)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));

    private sealed class TrackingRegistration;
}
