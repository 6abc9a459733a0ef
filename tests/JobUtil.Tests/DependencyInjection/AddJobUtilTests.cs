using JobUtil.Testing;
using JobUtil.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace JobUtil.Tests.DependencyInjection;

[TestFixture]
public sealed class AddJobUtilTests : ApiFixture
{
    [Test]
    public async Task Factory_resolves_and_its_jobs_talk_to_the_configured_url()
    {
        var services = new ServiceCollection();
        services.AddJobUtil(o =>
        {
            o.Url = Api.Url;
            o.Source = "inventory_system";
            o.Destination = "data_warehouse";
        });
        await using var provider = services.BuildServiceProvider();

        var job = provider.GetRequiredService<IJobFactory>().Create("orders");
        Api.Seed(new FakeJobRow
        {
            Name = "orders", Status = "success", Source = "s", Destination = "d",
            StartDate = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), EndDate = new DateTimeOffset(2024, 1, 2, 3, 5, 0, TimeSpan.Zero),
        });
        var since = await job.MostRecentAsync();

        Assert.Multiple(() =>
        {
            Assert.That(job.Name, Is.EqualTo("orders"));
            Assert.That(job.Source, Is.EqualTo("inventory_system"));
            Assert.That(job.Destination, Is.EqualTo("data_warehouse"));
            Assert.That(since, Is.EqualTo(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero)));
        });
    }

    [TestCase(301)]
    [TestCase(302)]
    [TestCase(307)]
    public async Task The_registered_client_does_not_follow_a_redirect(int status)
    {
        var services = new ServiceCollection();
        services.AddJobUtil(o =>
        {
            o.Url = Api.Url;
            o.Source = "inventory_system";
            o.Destination = "data_warehouse";
            o.MaxRetryAttempts = 0;
        });
        await using var provider = services.BuildServiceProvider();
        var job = provider.GetRequiredService<IJobFactory>().Create("orders");
        Api.Seed(new FakeJobRow
        {
            Name = "payroll", Status = "success", Source = "s", Destination = "d",
            StartDate = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero), EndDate = new DateTimeOffset(2031, 1, 1, 0, 5, 0, TimeSpan.Zero),
        });
        Api.RedirectNext(1, status, $"{Api.Url}?select=start_date&name=eq.payroll&status=eq.success&order=start_date.desc&limit=1", "GET");

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.EqualTo(status), "the redirect itself, not the answer at its address");
            Assert.That(Api.Requests, Has.Count.EqualTo(1), "not followed");
        });
    }

    [Test]
    public void Options_bind_from_the_JobUtil_section_of_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["JobUtil:Url"] = "https://jobs.example.test/legacy-scripts/jobs",
            ["JobUtil:Token"] = "header.payload.signature",
            ["JobUtil:Source"] = "src",
            ["JobUtil:Destination"] = "dst",
            ["JobUtil:AllowInsecureTransport"] = "true",
            ["JobUtil:MaxRetryAttempts"] = "2",
            ["JobUtil:RetryBaseDelay"] = "00:00:00.5",
            ["JobUtil:MaxRetryDelay"] = "00:00:10",
            ["JobUtil:AttemptTimeout"] = "00:00:07",
            ["JobUtil:TotalTimeout"] = "00:01:30",
            ["JobUtil:OutcomeTimeout"] = "00:00:05",
            ["JobUtil:HeartbeatInterval"] = "00:01:00",
            ["JobUtil:RecoverStaleRunsOlderThan"] = "00:05:00",
            ["JobUtil:WatermarkLookback"] = "00:02:00",
            ["JobUtil:RunKey"] = "off",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddJobUtil();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<JobOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.Url, Is.EqualTo("https://jobs.example.test/legacy-scripts/jobs"));
            Assert.That(options.Token, Is.EqualTo("header.payload.signature"));
            Assert.That(options.Source, Is.EqualTo("src"));
            Assert.That(options.Destination, Is.EqualTo("dst"));
            Assert.That(options.AllowInsecureTransport, Is.True);
            Assert.That(options.MaxRetryAttempts, Is.EqualTo(2));
            Assert.That(options.RetryBaseDelay, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
            Assert.That(options.MaxRetryDelay, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(options.TotalTimeout, Is.EqualTo(TimeSpan.FromSeconds(90)));
            Assert.That(options.OutcomeTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.HeartbeatInterval, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(options.RecoverStaleRunsOlderThan, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(options.WatermarkLookback, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(options.RunKey, Is.EqualTo(RunKeyMode.Off));
        });
    }

    [Test]
    public void Options_bind_from_a_given_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Etl:Jobs:Url"] = "https://jobs.example.test/jobs",
            ["Etl:Jobs:Source"] = "src",
        }).Build();
        var services = new ServiceCollection();
        services.AddJobUtil(configuration.GetSection("Etl:Jobs"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<JobOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.Url, Is.EqualTo("https://jobs.example.test/jobs"));
            Assert.That(options.Source, Is.EqualTo("src"));
            Assert.That(options.MaxRetryAttempts, Is.EqualTo(new JobOptions().MaxRetryAttempts), "unset values keep their defaults");
        });
    }

    private static IEnumerable<TestCaseData> InvalidSettings()
    {
        yield return new TestCaseData(new Dictionary<string, string?>(), "JobUtil:Url").SetName("Missing Url fails the start naming JobUtil:Url");
        yield return new TestCaseData(new Dictionary<string, string?> { ["JobUtil:Url"] = "/jobs" }, "JobUtil:Url").SetName("Relative Url fails the start");
        yield return new TestCaseData(new Dictionary<string, string?> { ["JobUtil:Url"] = "ftp://host/jobs" }, "JobUtil:Url").SetName("Non-http Url fails the start");
        yield return new TestCaseData(new Dictionary<string, string?> { ["JobUtil:Url"] = "http://jobs.example.test/jobs", ["JobUtil:Token"] = "secret-value" }, "JobUtil:Token").SetName("Token over plain http to a remote host fails the start");
        yield return new TestCaseData(new Dictionary<string, string?> { ["JobUtil:Url"] = "https://h/jobs", ["JobUtil:MaxRetryAttempts"] = "-1" }, "JobUtil:MaxRetryAttempts").SetName("Negative MaxRetryAttempts fails the start");
        yield return new TestCaseData(new Dictionary<string, string?> { ["JobUtil:Url"] = "https://h/jobs", ["JobUtil:AttemptTimeout"] = "00:00:00.001" }, "JobUtil:AttemptTimeout").SetName("AttemptTimeout below 10 ms fails the start");
        yield return new TestCaseData(new Dictionary<string, string?> { ["JobUtil:Url"] = "https://h/jobs", ["JobUtil:TotalTimeout"] = "-00:00:01" }, "JobUtil:TotalTimeout").SetName("Negative TotalTimeout fails the start");
        yield return new TestCaseData(new Dictionary<string, string?> { ["JobUtil:Url"] = "https://h/jobs", ["JobUtil:RetryBaseDelay"] = "00:01:00", ["JobUtil:MaxRetryDelay"] = "00:00:01" }, "JobUtil:MaxRetryDelay").SetName("MaxRetryDelay below RetryBaseDelay fails the start");
    }

    [TestCaseSource(nameof(InvalidSettings))]
    public void Invalid_settings_fail_the_host_start_with_a_message_naming_the_setting(Dictionary<string, string?> settings, string expectedKey)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddJobUtil();
        using var host = builder.Build();

        var thrown = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(thrown!.Message, Does.Contain(expectedKey + ":"));
        Assert.That(thrown.Message, Does.Not.Contain("secret-value"));
    }

    [Test]
    public void A_value_that_does_not_parse_names_its_key()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["JobUtil:Url"] = "https://h/jobs", ["JobUtil:AttemptTimeout"] = "thirty seconds" });
        builder.Services.AddJobUtil();
        using var host = builder.Build();

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(thrown!.Message, Does.Contain("JobUtil:AttemptTimeout").And.Contain("thirty seconds"));
    }

    [Test]
    public void A_RunKey_other_than_Auto_On_or_Off_names_its_key()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["JobUtil:Url"] = "https://h/jobs", ["JobUtil:RunKey"] = "1" });
        builder.Services.AddJobUtil();
        using var host = builder.Build();

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(thrown!.Message, Does.Contain("JobUtil:RunKey").And.Contain("Auto, On or Off"));
    }

    [Test]
    public async Task Valid_settings_let_the_host_start()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["JobUtil:Url"] = Api.Url });
        builder.Services.AddJobUtil();
        using var host = builder.Build();

        await host.StartAsync();
        var since = await host.Services.GetRequiredService<IJobFactory>().Create("orders", "s", "d").MostRecentAsync();
        await host.StopAsync();

        Assert.That(since, Is.Null);
        Assert.That(Api.Requests.Select(r => (r.Method, r.Path)), Is.EqualTo(new[] { ("GET", "/jobs") }), "the started host's jobs talk to the configured Jobs API");
    }

    [Test]
    public async Task Factory_overrides_source_and_destination_per_job()
    {
        var services = new ServiceCollection();
        services.AddJobUtil(o =>
        {
            o.Url = Api.Url;
            o.Source = "default_source";
            o.Destination = "default_destination";
        });
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IJobFactory>();

        var job = factory.Create("customers", "crm", "lake");
        await job.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(job.Source, Is.EqualTo("crm"));
            Assert.That(job.Destination, Is.EqualTo("lake"));
            Assert.That(Row.Source, Is.EqualTo("crm"));
            Assert.That(Row.Destination, Is.EqualTo("lake"));
            Assert.That(factory.Create("orders").Source, Is.EqualTo("default_source"));
        });
    }

    [Test]
    public void Factory_without_a_source_anywhere_says_so()
    {
        var services = new ServiceCollection();
        services.AddJobUtil(o => o.Url = Api.Url);
        using var provider = services.BuildServiceProvider();

        Assert.That(
            () => provider.GetRequiredService<IJobFactory>().Create("orders"),
            Throws.ArgumentException.With.Message.Contains("Source"));
    }

    [Test]
    public async Task Factory_jobs_use_the_registered_TimeProvider()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234567));
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock);
        services.AddJobUtil(o =>
        {
            o.Url = Api.Url;
            o.Source = "s";
            o.Destination = "d";
        });
        await using var provider = services.BuildServiceProvider();

        var run = await provider.GetRequiredService<IJobFactory>().Create("orders").StartAsync();

        Assert.That(Row.StartDate, Is.EqualTo(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234560)), "the clock's instant, to the microsecond");
        Assert.That(run.StartDate, Is.EqualTo(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234560)));
    }

    [Test]
    public async Task Returned_builder_chains_a_handler_that_sees_every_request()
    {
        var handler = new CountingHandler();
        var services = new ServiceCollection();
        services.AddJobUtil(o =>
        {
            o.Url = Api.Url;
            o.Source = "s";
            o.Destination = "d";
        }).AddHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var job = provider.GetRequiredService<IJobFactory>().Create("orders");

        await job.MostRecentAsync();
        await job.StartAsync();
        await job.ResultAsync(JobStatus.Success, 1);

        Assert.That(handler.Methods, Is.EqualTo(new[] { "GET", "POST", "PATCH" }));
    }

    [Test]
    public void Registered_client_has_no_timeout_of_its_own()
    {
        var services = new ServiceCollection();
        services.AddJobUtil(o => o.Url = Api.Url);
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(JobUtilServiceCollectionExtensions.HttpClientName);

        Assert.That(client.Timeout, Is.EqualTo(Timeout.InfiniteTimeSpan), "timeouts belong to JobOptions' pipeline");
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        public List<string> Methods { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Methods)
            {
                Methods.Add(request.Method.Method);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
