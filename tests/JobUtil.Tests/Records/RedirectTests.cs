using JobUtil.Testing;
using JobUtil.Tests.Support;

namespace JobUtil.Tests.Records;

/// <summary>
/// A redirect is an error that says where the server pointed: the library's own client never follows one, and with a
/// caller's client that does, every answer that arrives after a redirect is refused, reads included (a start or a result
/// then reads its own row back to learn what was written).
/// </summary>
public sealed class RedirectTests : ApiFixture
{
    private static readonly int[] Statuses = [301, 302, 303, 307, 308];

    private static IEnumerable<TestCaseData> EveryRedirect()
    {
        foreach (var method in new[] { "POST", "PATCH", "GET" })
        {
            foreach (var status in Statuses)
            {
                yield return new TestCaseData(method, status).SetName($"{status} on {method} with the library's own client is an error naming the new address");
            }
        }
    }

    [TestCaseSource(nameof(EveryRedirect))]
    public async Task With_the_librarys_own_client_a_redirect_is_an_error_that_is_never_followed_or_retried(string method, int status)
    {
        using var job = new Job("orders", Options(o => o.MaxRetryAttempts = 3));
        if (method == "PATCH")
        {
            await job.StartAsync();
        }

        var sent = Api.Requests.Count;
        Api.RedirectNext(1, status, "https://jobs.example.com/api/jobs", method);
        Func<Task> call = method switch
        {
            "POST" => () => job.StartAsync(),
            "PATCH" => () => job.ResultAsync(JobStatus.Success, 1),
            _ => () => job.MostRecentAsync(),
        };

        var error = Assert.ThrowsAsync<JobsApiException>(() => call())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.EqualTo(status));
            Assert.That(error.IsTransient, Is.False);
            Assert.That(error.Attempts, Is.EqualTo(1), "never retried");
            Assert.That(error.Message, Does.Contain("https://jobs.example.com/api/jobs").And.Contain("Fix the URL (JobOptions.Url)"));
            Assert.That(Api.Requests.Count - sent, Is.EqualTo(1), "nothing else was sent: not followed, no lookup");
            Assert.That(Api.Rows.Count(r => r.Status != "in_progress"), Is.Zero, "nothing was ended");
        });
    }

    [TestCase(301)]
    [TestCase(302)]
    [TestCase(303)]
    public async Task A_start_redirected_as_a_GET_to_another_jobs_row_refuses_it(int status)
    {
        var other = Api.Seed(new FakeJobRow { Name = "payroll", Source = "hr", Destination = "warehouse", StartDate = Clock.GetUtcNow().AddHours(-1) })[0];
        Api.RedirectNext(1, status, $"{Api.Url}?id=eq.{other.Id}", "POST");
        using var job = NewJob(Retrying);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("redirected").And.Contain("is refused"));
            Assert.That(error.Attempts, Is.EqualTo(1));
            Assert.That(job.Current, Is.Null);
            Assert.That(Api.Rows, Has.Count.EqualTo(1), "no run was started");
            Assert.That(Api.Rows[0].Status, Is.EqualTo("in_progress"), "the other job's run is untouched");
        });

        Assert.That(() => job.ResultAsync(JobStatus.Error), Throws.InvalidOperationException, "no run to overwrite");
    }

    [TestCase(307)]
    [TestCase(308)]
    public async Task A_start_redirected_with_its_body_to_the_table_keeps_the_one_row_it_wrote(int status)
    {
        Api.RedirectNext(1, status, Api.Url, "POST");
        using var job = NewJob();

        var run = await job.StartAsync();

        Assert.That(Api.Rows, Has.Count.EqualTo(1));
        Assert.That(run.Id, Is.EqualTo(Row.Id));
    }

    [Test]
    public async Task A_result_redirected_as_a_GET_by_a_303_is_not_taken_for_the_recorded_outcome()
    {
        const int status = 303;
        using var job = NewJob();
        var run = await job.StartAsync();
        Api.RedirectNext(1, status, $"{Api.Url}?id=eq.{run.Id}", "PATCH");

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.ResultAsync(JobStatus.Success, 3))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("redirected").And.Contain("is refused"));
            Assert.That(Row.Status, Is.EqualTo("in_progress"), "nothing was recorded");
        });

        // The outcome can still be recorded once the URL is right (here: the redirect is gone).
        var done = await job.ResultAsync(JobStatus.Success, 3);
        Assert.That(done.Status, Is.EqualTo(JobStatus.Success));
    }

    // HttpClient turns only a POST into a GET on 301 and 302: a PATCH is sent again as it is.
    [TestCase(301)]
    [TestCase(302)]
    [TestCase(307)]
    [TestCase(308)]
    public async Task A_result_redirected_with_its_body_is_recorded_once(int status)
    {
        using var job = NewJob();
        var run = await job.StartAsync();
        Api.RedirectNext(1, status, $"{Api.Url}?id=eq.{run.Id}&status=eq.in_progress", "PATCH");

        var done = await job.ResultAsync(JobStatus.Success, 3);

        Assert.That(done.Status, Is.EqualTo(JobStatus.Success));
        Assert.That(Row.RecordsProcessed, Is.EqualTo(3));
    }

    private static IEnumerable<TestCaseData> RedirectedReads()
    {
        foreach (var status in Statuses)
        {
            yield return new TestCaseData("watermark", status).SetName($"A watermark read redirected by a {status} to another job's watermark is refused");
            yield return new TestCaseData("run", status).SetName($"A run read redirected by a {status} to another run is refused");
            yield return new TestCaseData("list", status).SetName($"A list of runs redirected by a {status} to another job's runs is refused");
        }
    }

    // A caller's HttpClient that follows redirects (the fixture's): the answer it brings back answers another request.
    [TestCaseSource(nameof(RedirectedReads))]
    public async Task With_a_callers_client_that_follows_redirects_a_redirected_read_is_refused(string read, int status)
    {
        var future = Api.Seed(new FakeJobRow
        {
            Name = "payroll", Source = "hr", Destination = "warehouse", Status = "success",
            StartDate = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero), EndDate = new DateTimeOffset(2031, 1, 1, 0, 1, 0, TimeSpan.Zero),
        })[0];
        var mine = Api.Seed(new FakeJobRow
        {
            Name = "orders", Source = "crm", Destination = "warehouse", Status = "success",
            StartDate = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), EndDate = new DateTimeOffset(2024, 1, 1, 0, 1, 0, TimeSpan.Zero),
        })[0];
        using var job = NewJob();
        var (location, call) = read switch
        {
            "watermark" => ($"{Api.Url}?select=start_date&name=eq.payroll&status=eq.success&order=start_date.desc&limit=1", (Func<Task>)(() => job.MostRecentAsync())),
            "run" => ($"{Api.Url}?id=eq.{future.Id}", () => job.GetRunAsync(mine.Id)),
            _ => ($"{Api.Url}?name=eq.payroll&order=start_date.desc,id.desc&limit=20", (Func<Task>)(() => job.ListRunsAsync())),
        };
        Api.RedirectNext(1, status, location, "GET");

        var error = Assert.ThrowsAsync<JobsApiException>(() => call())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("redirected").And.Contain("is refused").And.Contain("JobOptions.Url"));
            Assert.That(error.IsTransient, Is.False);
            Assert.That(error.Attempts, Is.EqualTo(1), "never retried");
        });
    }

    [Test]
    public void With_a_callers_client_that_follows_redirects_a_redirected_error_is_refused_as_a_redirect()
    {
        using var job = NewJob();
        Api.RedirectNext(1, 302, Api.BaseUrl + "/nowhere", "GET");

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(error.Message, Does.Contain("redirected").And.Contain("/nowhere").And.Contain("is refused"));
    }

    private static void Retrying(JobOptions options)
    {
        options.MaxRetryAttempts = 2;
        options.RetryBaseDelay = TimeSpan.Zero;
        options.MaxRetryDelay = TimeSpan.Zero;
    }
}
