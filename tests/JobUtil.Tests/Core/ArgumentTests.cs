using JobUtil.Tests.Support;

namespace JobUtil.Tests.Core;

/// <summary>Invalid arguments throw <see cref="ArgumentException"/> naming the parameter, before anything is sent.</summary>
public class ArgumentTests : ApiFixture
{
    private const string Token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRlc3QtdG9rZW4.Zm9v";

    private static IEnumerable<TestCaseData> BadConstructorArguments()
    {
        // Url is replaced by the fake Jobs API's when it is "{table}".
        yield return new TestCaseData(null, "{table}", "s", "d", null, "name").SetName("null name");
        yield return new TestCaseData("", "{table}", "s", "d", null, "name").SetName("empty name");
        yield return new TestCaseData("  ", "{table}", "s", "d", null, "name").SetName("white-space name");
        yield return new TestCaseData("orders\uD800", "{table}", "s", "d", null, "name").SetName("name ending in a lone high surrogate");
        yield return new TestCaseData("\uDC00orders", "{table}", "s", "d", null, "name").SetName("name starting with a lone low surrogate");
        yield return new TestCaseData("n", "{table}", "crm\uD83D", "d", null, "source").SetName("source with a lone surrogate");
        yield return new TestCaseData("n", "{table}", "s", "dw\uDE00x", null, "destination").SetName("destination with a lone surrogate");
        yield return new TestCaseData("n", "", "s", "d", null, "url").SetName("empty url");
        yield return new TestCaseData("n", null, "s", "d", null, "url").SetName("null url");
        yield return new TestCaseData("n", "/jobs", "s", "d", null, "url").SetName("relative url");
        yield return new TestCaseData("n", "not a url", "s", "d", null, "url").SetName("url that is not a URL");
        yield return new TestCaseData("n", "ftp://host/jobs", "s", "d", null, "url").SetName("ftp url");
        yield return new TestCaseData("n", "file:///tmp/jobs", "s", "d", null, "url").SetName("file url");
        yield return new TestCaseData("n", "{table}?name=eq.x", "s", "d", null, "url").SetName("url with a query");
        yield return new TestCaseData("n", "http://127.0.0.1:44805/", "s", "d", null, "url").SetName("url of a server's root, naming no table");
        yield return new TestCaseData("n", "{table}", "", "d", null, "source").SetName("empty source");
        yield return new TestCaseData("n", "{table}", null, "d", null, "source").SetName("null source");
        yield return new TestCaseData("n", "{table}", "s", " ", null, "destination").SetName("white-space destination");
        yield return new TestCaseData("n", "{table}", "s", null, null, "destination").SetName("null destination");
        yield return new TestCaseData("n", "{table}", "s", "d", "", "auth").SetName("empty token");
        yield return new TestCaseData("n", "{table}", "s", "d", "two words", "auth").SetName("token with white space");
        yield return new TestCaseData("n", "http://jobs.example.com/jobs", "s", "d", "tok", "auth").SetName("token over plain http to another host");
        yield return new TestCaseData("n", "", "", "", null, "url").SetName("several bad arguments: the first is named");
    }

    [TestCaseSource(nameof(BadConstructorArguments))]
    public void The_simple_constructor_rejects_a_bad_argument_naming_it(string? name, string? url, string? source, string? destination, string? auth, string parameter)
    {
        Assert.That(
            () => new Job(name!, url?.Replace("{table}", Api.Url)!, source!, destination!, auth),
            Throws.InstanceOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo(parameter));
        Assert.That(Api.Requests, Is.Empty);
    }

    [Test]
    public async Task A_name_with_a_surrogate_pair_is_valid_and_its_run_is_recorded()
    {
        using var job = NewJob(name: "orders \uD83D\uDE00");

        var run = await job.StartAsync();
        await job.ResultAsync(JobStatus.Success, 1);

        Assert.That(Row.Name, Is.EqualTo("orders \uD83D\uDE00"));
        Assert.That(Row.Status, Is.EqualTo("success"));
        Assert.That(run.Name, Is.EqualTo(job.Name));
    }

    [Test]
    public void Fleet_names_with_a_lone_surrogate_are_refused_before_anything_is_sent()
    {
        var fleet = new JobFleet(Options(), Http);

        Assert.Multiple(() =>
        {
            Assert.That(() => fleet.CheckAsync(new JobHealthPolicy(), ["orders\uD800"]), Throws.InstanceOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("names"));
            Assert.That(() => fleet.RecoverStaleRunsAsync(TimeSpan.FromMinutes(5), ["\uDFFF"]), Throws.InstanceOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("names"));
        });
        Assert.That(Api.Requests, Is.Empty);
    }

    [TestCase(0.5)]
    [TestCase(366 * 86400.0)]
    [TestCase(999999 * 86400.0)]
    public void A_recovery_threshold_outside_1_second_to_365_days_is_refused_before_anything_is_sent(double seconds)
    {
        using var job = NewJob();
        var fleet = new JobFleet(Options(), Http);

        Assert.Multiple(() =>
        {
            Assert.That(() => job.RecoverStaleRunsAsync(TimeSpan.FromSeconds(seconds)), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("olderThan"));
            Assert.That(() => fleet.RecoverStaleRunsAsync(TimeSpan.FromSeconds(seconds)), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("olderThan"));
        });
        Assert.That(Api.Requests, Is.Empty);
    }

    private static IEnumerable<TestCaseData> BadOptions()
    {
        yield return new TestCaseData(new Action<JobOptions>(o => o.Url = null), "Url").SetName("options without Url");
        yield return new TestCaseData(new Action<JobOptions>(o => o.Url = "jobs"), "Url").SetName("options with a relative Url");
        yield return new TestCaseData(new Action<JobOptions>(o => o.Source = ""), "Source").SetName("options without Source");
        yield return new TestCaseData(new Action<JobOptions>(o => o.Destination = null), "Destination").SetName("options without Destination");
        yield return new TestCaseData(new Action<JobOptions>(o => o.MaxRetryAttempts = -1), "MaxRetryAttempts").SetName("negative MaxRetryAttempts");
        yield return new TestCaseData(new Action<JobOptions>(o => o.RetryBaseDelay = TimeSpan.FromSeconds(-1)), "RetryBaseDelay").SetName("negative RetryBaseDelay");
        yield return new TestCaseData(new Action<JobOptions>(o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(-5)), "MaxRetryDelay").SetName("MaxRetryDelay below RetryBaseDelay");
        yield return new TestCaseData(new Action<JobOptions>(o => o.AttemptTimeout = TimeSpan.Zero), "AttemptTimeout").SetName("zero AttemptTimeout");
        yield return new TestCaseData(new Action<JobOptions>(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(5)), "AttemptTimeout").SetName("AttemptTimeout under 10 ms");
        yield return new TestCaseData(new Action<JobOptions>(o => o.TotalTimeout = TimeSpan.FromSeconds(-2)), "TotalTimeout").SetName("negative TotalTimeout");
        yield return new TestCaseData(new Action<JobOptions>(o => o.OutcomeTimeout = TimeSpan.FromDays(2)), "OutcomeTimeout").SetName("OutcomeTimeout over a day");
        yield return new TestCaseData(new Action<JobOptions>(o => { o.Url = "http://jobs.example.com/jobs"; o.Token = Token; }), "AllowInsecureTransport").SetName("options with a token over plain http");
    }

    [TestCaseSource(nameof(BadOptions))]
    public void The_options_constructor_rejects_bad_options_naming_the_setting(Action<JobOptions> spoil, string setting)
    {
        var options = Options();
        spoil(options);
        using var http = new HttpClient();

        Assert.That(
            () => new Job("my_etl_job", options, http),
            Throws.InstanceOf<ArgumentException>()
                .With.Property(nameof(ArgumentException.ParamName)).EqualTo("options")
                .And.Message.Contains(setting));
        Assert.That(Api.Requests, Is.Empty);
    }

    [Test]
    public void The_options_constructor_rejects_null_arguments_naming_them()
    {
        using var http = new HttpClient();
        Assert.Multiple(() =>
        {
            Assert.That(() => new Job(null!, Options(), http), Throws.ArgumentException.With.Property("ParamName").EqualTo("name"));
            Assert.That(() => new Job("n", null!, http), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("options"));
            Assert.That(() => new Job("n", Options(), null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("httpClient"));
        });
    }

    [Test]
    public void Result_before_Start_is_InvalidOperationException_and_sends_nothing()
    {
        using var job = new Job("my_etl_job", Api.Url, "inventory_system", "data_warehouse");

        Assert.That(() => job.ResultAsync(JobStatus.Success, 3),
            Throws.InvalidOperationException.With.Message.Contains("StartAsync").And.Message.Contains("my_etl_job"));
        Assert.That(Api.Requests, Is.Empty);
    }

    private static IEnumerable<TestCaseData> NotAnOutcome()
    {
        yield return new TestCaseData(JobStatus.InProgress).SetName("InProgress");
        yield return new TestCaseData(default(JobStatus)).SetName("default JobStatus");
        yield return new TestCaseData(new JobStatus("cancelled")).SetName("an unknown status");
    }

    [TestCaseSource(nameof(NotAnOutcome))]
    public async Task Result_with_a_status_that_is_not_an_outcome_is_ArgumentException_and_sends_nothing(JobStatus status)
    {
        using var job = new Job("my_etl_job", Api.Url, "inventory_system", "data_warehouse");
        await job.StartAsync();

        Assert.That(() => job.ResultAsync(status), Throws.ArgumentException.With.Property("ParamName").EqualTo("status"));
        Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST" }));
    }

    [TestCase(-1L)]
    [TestCase(2_147_483_648L)]
    public async Task Result_with_a_record_count_outside_the_INTEGER_column_is_ArgumentException_and_sends_nothing(long count)
    {
        using var job = new Job("my_etl_job", Api.Url, "inventory_system", "data_warehouse");
        await job.StartAsync();

        Assert.That(() => job.ResultAsync(JobStatus.Success, recordsProcessed: count),
            Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("recordsProcessed"));
        Assert.That(Api.Requests.Select(r => r.Method), Is.EqualTo(new[] { "POST" }));
    }
}
