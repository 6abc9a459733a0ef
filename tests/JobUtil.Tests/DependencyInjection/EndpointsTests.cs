using JobUtil.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace JobUtil.Tests.DependencyInjection;

/// <summary>
/// Several named Jobs API endpoints in one application, each with its own options, validation and client; options
/// that follow configuration reloads; a factory safe to keep in singletons; misspelled keys reported.
/// </summary>
[TestFixture]
public sealed class EndpointsTests
{
    private const string Secret = "a-test-secret-of-at-least-32-characters!";
    private FakeJobsApi _warehouse = null!;
    private FakeJobsApi _crm = null!;

    [OneTimeSetUp]
    public void StartServers()
    {
        _warehouse = FakeJobsApi.Start(new FakeJobsApiOptions { JwtSecret = Secret });
        _crm = FakeJobsApi.Start(new FakeJobsApiOptions { JwtSecret = Secret });
    }

    [OneTimeTearDown]
    public void StopServers()
    {
        _warehouse.Dispose();
        _crm.Dispose();
    }

    [SetUp]
    public void ResetServers()
    {
        _warehouse.Reset();
        _crm.Reset();
    }

    [Test]
    public async Task Two_named_endpoints_each_send_their_own_token_to_their_own_url()
    {
        var warehouseToken = FakeJobsApi.CreateToken(Secret, "jobs_writer");
        var crmToken = FakeJobsApi.CreateToken(Secret, "jobs_writer", DateTimeOffset.UtcNow.AddHours(1));
        var configuration = Configuration(new()
        {
            ["Endpoints:Warehouse:Url"] = _warehouse.Url,
            ["Endpoints:Warehouse:Token"] = warehouseToken,
            ["Endpoints:Crm:Url"] = _crm.Url,
            ["Endpoints:Crm:Token"] = crmToken,
        });
        var services = new ServiceCollection();
        services.AddJobUtil("warehouse", configuration.GetSection("Endpoints:Warehouse"));
        services.AddJobUtil("crm", configuration.GetSection("Endpoints:Crm"));
        services.AddSingleton<TwoEndpointsConsumer>();
        await using var provider = services.BuildServiceProvider();

        var consumer = provider.GetRequiredService<TwoEndpointsConsumer>();
        await consumer.Warehouse.Create("a", "s", "d").StartAsync();
        await consumer.Crm.Create("b", "s", "d").StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_warehouse.Rows.Select(r => r.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(_crm.Rows.Select(r => r.Name), Is.EqualTo(new[] { "b" }));
            Assert.That(_warehouse.Requests.Single().Header("Authorization"), Is.EqualTo("Bearer " + warehouseToken));
            Assert.That(_crm.Requests.Single().Header("Authorization"), Is.EqualTo("Bearer " + crmToken));
            Assert.That(provider.GetService<IJobFactory>(), Is.Null, "named endpoints register no unnamed factory");
            Assert.That(provider.GetRequiredService<IOptionsMonitor<JobOptions>>().Get("crm").Url, Is.EqualTo(_crm.Url));
        });
    }

    [Test]
    public async Task Each_named_endpoint_has_its_own_HttpClient_builder()
    {
        var seen = new List<string>();
        var services = new ServiceCollection();
        services.AddJobUtil("warehouse", o => o.Url = _warehouse.Url)
            .AddHttpMessageHandler(() => new SeenHandler(seen));
        services.AddJobUtil("crm", o => o.Url = _crm.Url);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<IJobFactory>("warehouse").Create("a", "s", "d").MostRecentAsync();
        await provider.GetRequiredKeyedService<IJobFactory>("crm").Create("b", "s", "d").MostRecentAsync();

        Assert.That(seen, Has.Count.EqualTo(1).And.All.StartsWith(_warehouse.Url), "only the warehouse endpoint's client has the handler");
    }

    [Test]
    public void A_second_unnamed_registration_is_an_error_not_a_merge()
    {
        var services = new ServiceCollection();
        services.AddJobUtil(o => o.Url = _warehouse.Url);

        Assert.That(() => services.AddJobUtil(o => o.Url = _crm.Url),
            Throws.InvalidOperationException.With.Message.Contains("already called without a name").And.Message.Contains("AddJobUtil(\"name\""));
        Assert.That(() => services.AddJobUtil("Other"), Throws.InvalidOperationException);
    }

    [Test]
    public void The_same_name_twice_is_an_error()
    {
        var services = new ServiceCollection();
        services.AddJobUtil("warehouse", o => o.Url = _warehouse.Url);

        Assert.That(() => services.AddJobUtil("warehouse", o => o.Url = _crm.Url),
            Throws.InvalidOperationException.With.Message.Contains("'warehouse' is already registered"));
    }

    [Test]
    public void An_empty_name_is_refused()
    {
        Assert.That(() => new ServiceCollection().AddJobUtil(" ", o => o.Url = _crm.Url), Throws.ArgumentException.With.Property("ParamName").EqualTo("name"));
    }

    [Test]
    public void Each_endpoint_is_validated_on_start_on_its_own()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Warehouse:Url"] = _warehouse.Url,
            ["Crm:Url"] = "ftp://crm/jobs",
        });
        builder.Services.AddJobUtil("warehouse", builder.Configuration.GetSection("Warehouse"));
        builder.Services.AddJobUtil("crm", builder.Configuration.GetSection("Crm"));
        using var host = builder.Build();

        var thrown = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(thrown!.OptionsName, Is.EqualTo("crm"));
        Assert.That(thrown.Message, Does.Contain("Crm:Url:").And.Not.Contain("Warehouse:"));
    }

    [Test]
    public async Task Jobs_created_after_a_configuration_reload_use_the_new_values()
    {
        var oldToken = FakeJobsApi.CreateToken(Secret, "jobs_writer");
        var newToken = FakeJobsApi.CreateToken(Secret, "jobs_writer", DateTimeOffset.UtcNow.AddDays(1));
        var source = new ReloadableSource(new() { ["JobUtil:Url"] = _warehouse.Url, ["JobUtil:Token"] = oldToken });
        var configuration = new ConfigurationBuilder().Add(source).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddJobUtil();
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IJobFactory>();
        var before = factory.Create("n", "s", "d");

        source.Reload(new() { ["JobUtil:Url"] = _crm.Url, ["JobUtil:Token"] = newToken });
        var after = factory.Create("n", "s", "d");
        await before.MostRecentAsync();
        await after.MostRecentAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_warehouse.Requests.Single().Header("Authorization"), Is.EqualTo("Bearer " + oldToken), "a job keeps the options it was created with");
            Assert.That(_crm.Requests.Single().Header("Authorization"), Is.EqualTo("Bearer " + newToken), "a job created after the reload uses the new url and token");
        });
    }

    [Test]
    public async Task A_named_endpoint_follows_reloads_of_its_own_section()
    {
        var source = new ReloadableSource(new() { ["Warehouse:Url"] = _warehouse.Url });
        var configuration = new ConfigurationBuilder().Add(source).Build();
        var services = new ServiceCollection();
        services.AddJobUtil("warehouse", configuration.GetSection("Warehouse"));
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredKeyedService<IJobFactory>("warehouse");

        source.Reload(new() { ["Warehouse:Url"] = _crm.Url });
        await factory.Create("n", "s", "d").MostRecentAsync();

        Assert.That(_crm.Requests, Has.Count.EqualTo(1));
        Assert.That(_warehouse.Requests, Is.Empty);
    }

    [Test]
    public async Task The_factory_is_a_singleton_that_takes_a_client_from_IHttpClientFactory_for_every_job()
    {
        var services = new ServiceCollection();
        services.AddJobUtil(o => o.Url = _warehouse.Url);
        var clients = new CountingHttpClientFactory();
        services.AddSingleton<IHttpClientFactory>(clients);
        await using var provider = services.BuildServiceProvider();

        var captured = provider.GetRequiredService<IJobFactory>();
        await captured.Create("a", "s", "d").MostRecentAsync();
        await captured.Create("b", "s", "d").MostRecentAsync();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IJobFactory>(), Is.SameAs(captured));
            Assert.That(clients.Created, Is.EqualTo(new[] { "JobUtil", "JobUtil" }), "one client per job, taken when the job is created");
            Assert.That(_warehouse.Requests, Has.Count.EqualTo(2));
        });
    }

    [TestCase("Urll", "Url")]
    [TestCase("Tokn", "Token")]
    [TestCase("MaxRetryAttempt", "MaxRetryAttempts")]
    [TestCase("AttemptTimout", "AttemptTimeout")]
    public void A_misspelled_key_fails_the_start_naming_it_and_the_closest_known_key(string key, string closest)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["JobUtil:Url"] = _warehouse.Url, [$"JobUtil:{key}"] = "x" });
        builder.Services.AddJobUtil();
        using var host = builder.Build();

        var thrown = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(thrown!.Message, Does.Contain($"JobUtil:{key}: JobUtil has no setting '{key}'; did you mean '{closest}'?"));
    }

    [Test]
    public void Known_keys_in_any_case_pass()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["jobutil:url"] = _warehouse.Url, ["JobUtil:MAXRETRYATTEMPTS"] = "1" });
        builder.Services.AddJobUtil();
        using var host = builder.Build();

        Assert.That(() => host.Services.GetRequiredService<IOptionsMonitor<JobOptions>>().Get(Options.DefaultName), Throws.Nothing);
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values)
        => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private sealed class TwoEndpointsConsumer(
        [FromKeyedServices("warehouse")] IJobFactory warehouse,
        [FromKeyedServices("crm")] IJobFactory crm)
    {
        public IJobFactory Warehouse { get; } = warehouse;

        public IJobFactory Crm { get; } = crm;
    }

    /// <summary>A configuration source whose values change and which signals the change, as a file or secret store does.</summary>
    private sealed class ReloadableSource(Dictionary<string, string?> values) : ConfigurationProvider, IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public override void Load() => Data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);

        public void Reload(Dictionary<string, string?> newValues)
        {
            values = newValues;
            Load();
            OnReload();
        }
    }

    private sealed class SeenHandler(List<string> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request.RequestUri!.ToString());
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class CountingHttpClientFactory : IHttpClientFactory
    {
        public List<string> Created { get; } = [];

        public HttpClient CreateClient(string name)
        {
            Created.Add(name);
            return new HttpClient();
        }
    }
}
