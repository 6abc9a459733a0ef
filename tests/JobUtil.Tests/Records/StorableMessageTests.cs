using JobUtil.Tests.Support;

namespace JobUtil.Tests.Records;

/// <summary>
/// Messages are made storable (PostgreSQL's text cannot hold NUL: each is replaced with U+FFFD), and a failure whose
/// message cannot be read is still recorded, by its type, and rethrown as it is.
/// </summary>
public sealed class StorableMessageTests : ApiFixture
{
    [Test]
    public async Task A_NUL_in_a_result_message_is_replaced_so_the_outcome_is_recorded()
    {
        using var job = NewJob();
        await job.StartAsync();

        var done = await job.ResultAsync(JobStatus.Error, message: "bad byte \0 in row 7");

        Assert.That(Row.Status, Is.EqualTo("error"));
        Assert.That(Row.Message, Is.EqualTo("bad byte \uFFFD in row 7"));
        Assert.That(done.Message, Is.EqualTo(Row.Message));
    }

    [Test]
    public async Task A_lone_surrogate_in_a_message_is_replaced_so_a_retried_outcome_is_recognised()
    {
        using var job = NewJob(o => { o.MaxRetryAttempts = 1; o.RetryBaseDelay = TimeSpan.Zero; o.MaxRetryDelay = TimeSpan.Zero; });
        await job.StartAsync();
        Api.FailNextAfterCommit(1, 502, "PATCH");

        var done = await job.ResultAsync(JobStatus.Error, message: "cut \uD83D here");

        Assert.Multiple(() =>
        {
            Assert.That(Row.Message, Is.EqualTo("cut \uFFFD here"));
            Assert.That(done.Message, Is.EqualTo(Row.Message), "the committed outcome is this call's, not 'already ended'");
        });
    }

    [Test]
    public void The_fake_refuses_a_NUL_as_PostgreSQL_does()
    {
        // Without the rule, the outcome would be refused (22P05) and the run left in progress.
        using var request = new HttpRequestMessage(HttpMethod.Post, Api.Url)
        {
            Content = new StringContent("""{"name":"a\u0000b","start_date":"2024-01-01T00:00:00Z","status":"in_progress","source":"s","destination":"d"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        using var response = Http.Send(request);

        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(response.Content.ReadAsStringAsync().Result, Does.Contain("22P05"));
    }

    [Test]
    public async Task A_NUL_in_the_failure_RunAsync_records_is_replaced_and_the_original_rethrown()
    {
        using var job = NewJob();
        var failure = new InvalidDataException("row 3: \0\0 unexpected");

        var thrown = Assert.ThrowsAsync<InvalidDataException>(() => job.RunAsync((_, _) => Task.FromException<long>(failure)));

        Assert.That(thrown, Is.SameAs(failure));
        Assert.That(Row.Status, Is.EqualTo("error"));
        Assert.That(Row.Message, Is.EqualTo("System.IO.InvalidDataException: row 3: \uFFFD\uFFFD unexpected"));
        await Task.CompletedTask;
    }

    [Test]
    public void A_failure_whose_message_getter_throws_is_recorded_by_its_type_and_rethrown_as_it_is()
    {
        using var job = NewJob();
        var failure = new UnreadableException();

        var thrown = Assert.ThrowsAsync<UnreadableException>(() => job.RunAsync((_, _) => Task.FromException<long>(failure)));

        Assert.That(thrown, Is.SameAs(failure));
        Assert.That(Row.Status, Is.EqualTo("error"));
        Assert.That(Row.Message, Is.EqualTo(typeof(UnreadableException).FullName + ": (the exception's message could not be read)"));
    }

    [Test]
    public async Task A_message_a_host_words_itself_gets_the_same_rule()
    {
        using var job = NewJob();
        var run = await job.BeginRunAsync();

        Assert.That(await run.TryFailAsync("a\0b"), Is.True);
        Assert.That(Row.Message, Is.EqualTo("a\uFFFDb"));
    }

    private sealed class UnreadableException : Exception
    {
        public override string Message => throw new InvalidOperationException("the message getter is broken");
    }
}
