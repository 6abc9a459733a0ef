using JobUtil;
using JobUtil.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers JobUtil in an <see cref="IServiceCollection"/>.</summary>
/// <remarks>
/// <para>
/// One unnamed Jobs API endpoint is registered with <c>AddJobUtil(...)</c> and resolved as <see cref="IJobFactory"/>.
/// Further endpoints are registered by name with <c>AddJobUtil(name, ...)</c> and resolved as the keyed service
/// <c>[FromKeyedServices(name)] IJobFactory</c>; each has its own options (named options <c>name</c>), validation and
/// <see cref="HttpClient"/>. Registering the same endpoint (or the unnamed one) twice throws: settings are never merged.
/// </para>
/// <para>
/// Options bound from configuration follow its reloads: jobs created after a reload use the new values. The factory
/// is a singleton that takes a new <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/> for each job, so it
/// may be kept by other singletons.
/// </para>
/// </remarks>
public static class JobUtilServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> JobUtil registers with <c>IHttpClientFactory</c> for the unnamed endpoint.</summary>
    /// <remarks>A named endpoint's client is named <c>JobUtil:</c> followed by the endpoint's name.</remarks>
    public const string HttpClientName = "JobUtil";

    /// <summary>
    /// Registers <see cref="IJobFactory"/> with <see cref="JobOptions"/> bound from the configuration section
    /// <paramref name="configSectionPath"/> (default <c>JobUtil</c>) of the registered <see cref="IConfiguration"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configSectionPath">The section holding Url, Token, Source, Destination and the timeouts.</param>
    /// <returns>The builder of JobUtil's <see cref="HttpClient"/>, to add handlers or configure the primary handler.</returns>
    /// <remarks>The options are validated when the host starts; a wrong setting fails the start with a message naming it.</remarks>
    /// <exception cref="InvalidOperationException">The unnamed endpoint is already registered.</exception>
    public static IHttpClientBuilder AddJobUtil(this IServiceCollection services, string configSectionPath = JobOptions.DefaultSectionName)
    {
        if (configSectionPath is null)
        {
            throw new ArgumentNullException(nameof(configSectionPath));
        }

        return AddEndpoint(services, Options.Options.DefaultName, configSectionPath, provider => provider.GetRequiredService<IConfiguration>().GetSection(configSectionPath), configure: null);
    }

    /// <summary>Registers <see cref="IJobFactory"/> with <see cref="JobOptions"/> bound from <paramref name="configuration"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding Url, Token, Source, Destination and the timeouts.</param>
    /// <returns>The builder of JobUtil's <see cref="HttpClient"/>, to add handlers or configure the primary handler.</returns>
    /// <exception cref="InvalidOperationException">The unnamed endpoint is already registered.</exception>
    public static IHttpClientBuilder AddJobUtil(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        return AddEndpoint(services, Options.Options.DefaultName, PathOf(configuration), _ => configuration, configure: null);
    }

    /// <summary>Registers <see cref="IJobFactory"/> with <see cref="JobOptions"/> set by <paramref name="configure"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of JobUtil's <see cref="HttpClient"/>, to add handlers or configure the primary handler.</returns>
    /// <exception cref="InvalidOperationException">The unnamed endpoint is already registered.</exception>
    public static IHttpClientBuilder AddJobUtil(this IServiceCollection services, Action<JobOptions> configure)
    {
        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        return AddEndpoint(services, Options.Options.DefaultName, nameof(JobOptions), section: null, configure);
    }

    /// <summary>
    /// Registers a named Jobs API endpoint: the keyed service <c>[FromKeyedServices(name)] IJobFactory</c>, with the named
    /// options <paramref name="name"/> bound from <paramref name="configuration"/>, validated on start, and its own
    /// <see cref="HttpClient"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The endpoint's name: the service key and the options name.</param>
    /// <param name="configuration">The section holding the endpoint's Url, Token, Source, Destination and timeouts.</param>
    /// <returns>The builder of the endpoint's <see cref="HttpClient"/> (named <c>JobUtil:</c><paramref name="name"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">An endpoint of that name is already registered.</exception>
    public static IHttpClientBuilder AddJobUtil(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ThrowIfNoName(name);
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        return AddEndpoint(services, name, PathOf(configuration), _ => configuration, configure: null);
    }

    /// <summary>
    /// Registers a named Jobs API endpoint: the keyed service <c>[FromKeyedServices(name)] IJobFactory</c>, with the named
    /// options <paramref name="name"/> set by <paramref name="configure"/>, validated on start, and its own
    /// <see cref="HttpClient"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The endpoint's name: the service key and the options name.</param>
    /// <param name="configure">Sets the endpoint's options.</param>
    /// <returns>The builder of the endpoint's <see cref="HttpClient"/> (named <c>JobUtil:</c><paramref name="name"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">An endpoint of that name is already registered.</exception>
    public static IHttpClientBuilder AddJobUtil(this IServiceCollection services, string name, Action<JobOptions> configure)
    {
        ThrowIfNoName(name);
        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        return AddEndpoint(services, name, name, section: null, configure);
    }

    private static IHttpClientBuilder AddEndpoint(
        IServiceCollection services, string name, string messagePrefix, Func<IServiceProvider, IConfiguration>? section, Action<JobOptions>? configure)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        // One registration per endpoint: a second one would merge its settings into the first (its token sent to the
        // other's URL, say).
        if (services.Any(d => d.ServiceType == typeof(JobUtilEndpoint) && d.ImplementationInstance is JobUtilEndpoint e && e.Name == name))
        {
            throw new InvalidOperationException(name.Length == 0
                ? "AddJobUtil was already called without a name. Register each further Jobs API endpoint by name: AddJobUtil(\"name\", ...), resolved as [FromKeyedServices(\"name\")] IJobFactory."
                : $"A Jobs API endpoint named '{name}' is already registered by AddJobUtil.");
        }

        services.AddSingleton(new JobUtilEndpoint(name));

        var options = services.AddOptions<JobOptions>(name);
        if (section is not null)
        {
            options.Configure<IServiceProvider>((o, provider) => JobOptionsConfiguration.Bind(section(provider), o));

            // The options monitor rebuilds the options when the configuration reloads.
            services.AddSingleton<IOptionsChangeTokenSource<JobOptions>>(provider => new ConfigurationChangeTokenSource<JobOptions>(name, section(provider)));
        }
        else
        {
            options.Configure(configure!);
        }

        options.ValidateOnStart();
        // Unknown keys are looked for in a section only: a whole configuration root holds every other library's keys too.
        services.AddSingleton<IValidateOptions<JobOptions>>(provider => new JobOptionsValidator(name, messagePrefix, section?.Invoke(provider) as IConfigurationSection));

        // Timeouts and retries are JobUtil's own pipeline (JobOptions): the client itself neither times out nor retries.
        var httpClientName = name.Length == 0 ? HttpClientName : $"{HttpClientName}:{name}";
        var builder = services.AddHttpClient(httpClientName)
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static (handler, _) => RefuseRedirects(handler));

        IJobFactory CreateFactory(IServiceProvider provider) => new JobFactory(
            name,
            httpClientName,
            provider.GetRequiredService<IHttpClientFactory>(),
            provider.GetRequiredService<IOptionsMonitor<JobOptions>>(),
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);

        if (name.Length == 0)
        {
            services.AddSingleton(CreateFactory);
        }
        else
        {
            services.AddKeyedSingleton<IJobFactory>(name, (provider, _) => CreateFactory(provider));
        }

        return builder;
    }

    /// <summary>
    /// PostgREST never redirects: a redirect comes from something in front of it, and following it would send a POST or
    /// PATCH as a GET, without the token, and hand back another address's answer. Not followed, it is an error that
    /// names the new address. A primary handler the caller sets later is the caller's; JobUtil still refuses any answer
    /// that arrives after a redirect.
    /// </summary>
    private static void RefuseRedirects(HttpMessageHandler handler)
    {
        switch (handler)
        {
            case HttpClientHandler client:
                client.AllowAutoRedirect = false;
                break;
#if NET
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                break;
#else
            // The netstandard2.0 build cannot name SocketsHttpHandler, which IHttpClientFactory gives on .NET Core 2.1
            // and later: its public AllowAutoRedirect is set by name.
            default:
                handler.GetType().GetProperty(nameof(HttpClientHandler.AllowAutoRedirect))?.SetValue(handler, false);
                break;
#endif
        }
    }

    private static void ThrowIfNoName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("An endpoint's name must not be null, empty or white space; use AddJobUtil(...) without a name for the unnamed endpoint.", nameof(name));
        }
    }

    private static string PathOf(IConfiguration configuration)
        => configuration is IConfigurationSection section ? section.Path : string.Empty;

    /// <summary>Marks an endpoint as registered, so that registering it again is refused.</summary>
    private sealed class JobUtilEndpoint(string name)
    {
        public string Name { get; } = name;
    }
}
