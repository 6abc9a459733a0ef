using System.Diagnostics;

namespace JobUtil.Testing.Tests;

/// <summary>Planned failures and delays, before handling or after a committed write.</summary>
public class FaultInjectionTests : FakeApiFixture
{
    private const string Run = "{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}";

    [Test]
    public async Task The_next_n_requests_of_a_method_fail_with_the_status_and_retry_after_and_write_nothing()
    {
        Api.FailNext(2, 503, "POST", retryAfter: TimeSpan.FromSeconds(3));

        var (getStatus, _, _) = await GetAsync("");
        var first = await PostAsync(Run);
        var second = await PostAsync(Run);
        Assert.That(Api.Rows, Is.Empty);
        var third = await PostAsync(Run);

        Assert.That(getStatus, Is.EqualTo(200));
        Assert.That((first.Status, second.Status, third.Status), Is.EqualTo((503, 503, 201)));
        Assert.That(first.Response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(first.Body, Does.Contain("\"code\":\"PGRST002\""));
        Assert.That(Api.Rows, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_fault_without_a_method_applies_to_any_request()
    {
        Api.FailNext(1, 504);

        var (status, body, _) = await GetAsync("");

        Assert.That(status, Is.EqualTo(504));
        Assert.That(body, Does.Contain("\"code\":\"PGRST003\""));
        Assert.That((await GetAsync("")).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Other_statuses_get_a_proxys_html_page()
    {
        Api.FailNext(1, 502);

        var (status, body, response) = await GetAsync("");

        Assert.That(status, Is.EqualTo(502));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(body, Does.Contain("502"));
    }

    [Test]
    public void Status_zero_drops_the_connection()
    {
        Api.FailNext(1, 0);

        Assert.That(async () => await GetAsync(""), Throws.InstanceOf<HttpRequestException>());
    }

    [Test]
    public void A_write_committed_then_dropped_is_stored_although_the_client_got_no_answer()
    {
        Api.FailNextAfterCommit(1, 0, "POST");

        Assert.That(async () => await PostAsync(Run), Throws.InstanceOf<HttpRequestException>());
        Assert.That(Api.Rows, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_write_failed_after_commit_is_stored_although_the_client_sees_an_error()
    {
        Api.FailNextAfterCommit(1, 504, "POST");

        var (status, _, _) = await PostAsync(Run);

        Assert.That(status, Is.EqualTo(504));
        Assert.That(Api.Rows, Has.Count.EqualTo(1));
        Assert.That(Api.Requests.Single().Status, Is.EqualTo(504));
    }

    [Test]
    public async Task A_failed_write_does_not_use_up_an_after_commit_fault()
    {
        Api.FailNextAfterCommit(1, 502, "POST");

        var (rejected, _, _) = await PostAsync("{\"name\":\"x\"}");
        var (failed, _, _) = await PostAsync(Run);

        Assert.That((rejected, failed), Is.EqualTo((400, 502)));
    }

    [Test]
    public async Task A_delayed_request_is_answered_after_the_delay()
    {
        var delay = TimeSpan.FromMilliseconds(200);
        Api.DelayNext(1, delay);
        var watch = Stopwatch.StartNew();

        var (status, _, _) = await GetAsync("");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(delay));
    }

    [Test]
    public async Task A_write_delayed_after_commit_is_stored_before_the_client_gives_up()
    {
        using var api = FakeJobsApi.Start();
        using var impatient = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };

        // A first request warms the server up, so the timeout below measures the delay, not start-up.
        await impatient.GetAsync(api.Url);
        api.DelayNextAfterCommit(1, TimeSpan.FromMinutes(5), "POST");

        Assert.That(
            async () => await impatient.PostAsync(api.Url, new StringContent(Run, System.Text.Encoding.UTF8, "application/json")),
            Throws.InstanceOf<TaskCanceledException>());
        Assert.That(api.Rows, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Disposing_releases_requests_waiting_on_a_delay()
    {
        var api = FakeJobsApi.Start();
        api.DelayNext(1, TimeSpan.FromMinutes(5));
        var pending = Http.GetAsync(api.Url);
        while (api.InFlight == 0 && !pending.IsCompleted)
        {
            await Task.Delay(10);
        }

        api.Dispose();

        var finished = await Task.WhenAny(pending, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.That(finished, Is.SameAs(pending), "the delayed request was still pending after Dispose");
        Assert.That(pending.IsCompletedSuccessfully ? (int)pending.Result.StatusCode : 0, Is.Not.EqualTo(200));
    }

    [Test]
    public async Task Reset_cancels_planned_faults()
    {
        Api.FailNext(1, 500);
        Api.Reset();

        Assert.That((await GetAsync("")).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task A_request_longer_than_the_URL_limit_is_refused_with_414_as_a_proxy_does_and_not_handled()
    {
        using var api = FakeJobsApi.Start(new FakeJobsApiOptions { MaxUrlLength = 100 });
        api.Seed(Row("n", "2024-01-01T00:00:00Z"));

        using var shortOne = await Http.GetAsync(api.Url + "?name=eq.n");
        using var longOne = await Http.GetAsync(api.Url + "?name=eq." + new string('n', 100));

        Assert.That((int)shortOne.StatusCode, Is.EqualTo(200));
        Assert.That((int)longOne.StatusCode, Is.EqualTo(414));
        Assert.That(longOne.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(api.Requests.Select(r => r.Status), Is.EqualTo(new[] { 200, 414 }));
    }
}
