using JobUtil;
using JobUtil.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers JobUtil in an <see cref="IServiceCollection"/>.</summary>
public static class JobUtilServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> JobUtil registers with <c>IHttpClientFactory</c>.</summary>
    public const string HttpClientName = "JobUtil";

    /// <summary>
    /// Registers <see cref="IJobFactory"/> with <see cref="JobOptions"/> bound from the configuration section
    /// <paramref name="configSectionPath"/> (default <c>JobUtil</c>) of the registered <see cref="IConfiguration"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configSectionPath">The section holding Url, Token, Source, Destination and the timeouts.</param>
    /// <returns>The builder of JobUtil's <see cref="HttpClient"/>, to add handlers or configure the primary handler.</returns>
    /// <remarks>The options are validated when the host starts; a wrong setting fails the start with a message naming it.</remarks>
    public static IHttpClientBuilder AddJobUtil(this IServiceCollection services, string configSectionPath = JobOptions.DefaultSectionName)
    {
        if (configSectionPath is null)
        {
            throw new ArgumentNullException(nameof(configSectionPath));
        }

        services.AddOptions<JobOptions>()
            .Configure<IConfiguration>((options, configuration) => JobOptionsConfiguration.Bind(configuration.GetSection(configSectionPath), options));
        return AddCore(services, configSectionPath);
    }

    /// <summary>Registers <see cref="IJobFactory"/> with <see cref="JobOptions"/> bound from <paramref name="configuration"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding Url, Token, Source, Destination and the timeouts.</param>
    /// <returns>The builder of JobUtil's <see cref="HttpClient"/>, to add handlers or configure the primary handler.</returns>
    public static IHttpClientBuilder AddJobUtil(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        services.AddOptions<JobOptions>().Configure(options => JobOptionsConfiguration.Bind(configuration, options));
        return AddCore(services, configuration is IConfigurationSection section ? section.Path : string.Empty);
    }

    /// <summary>Registers <see cref="IJobFactory"/> with <see cref="JobOptions"/> set by <paramref name="configure"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of JobUtil's <see cref="HttpClient"/>, to add handlers or configure the primary handler.</returns>
    public static IHttpClientBuilder AddJobUtil(this IServiceCollection services, Action<JobOptions> configure)
    {
        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        services.AddOptions<JobOptions>().Configure(configure);
        return AddCore(services, nameof(JobOptions));
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services, string sectionPath)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        services.AddOptions<JobOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobOptions>>(new JobOptionsValidator(sectionPath)));

        // Timeouts and retries are JobUtil's own pipeline (JobOptions): the client itself neither times out nor retries.
        return services
            .AddHttpClient<IJobFactory, JobFactory>(
                HttpClientName,
                static (client, provider) => new JobFactory(
                    client,
                    provider.GetRequiredService<IOptionsMonitor<JobOptions>>(),
                    provider.GetService<TimeProvider>() ?? TimeProvider.System,
                    provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance))
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan);
    }
}
