using JobUtil.Tests.Support;

namespace JobUtil.Tests.Core;

/// <summary>The README's quick start does what the README says, against a jobs table.</summary>
public class QuickStartTests : ApiFixture
{
    private const string Token = "header.payload.signature";

    [Test]
    public async Task The_quick_start_records_success_with_the_count_then_passes_the_watermark_to_the_next_run()
    {
        var seen = new List<DateTimeOffset?>();

        await QuickStart.MostRecentStartResultAsync(Api.Url, Token, (since, _) => { seen.Add(since); return Task.FromResult(503L); });
        await QuickStart.MostRecentStartResultAsync(Api.Url, Token, (since, _) => { seen.Add(since); return Task.FromResult(2L); });

        var first = Api.Rows[0];
        Assert.That(first.Status, Is.EqualTo("success"));
        Assert.That(first.RecordsProcessed, Is.EqualTo(503));
        Assert.That(seen[0], Is.Null);
        Assert.That(seen[1], Is.EqualTo(first.StartDate));
    }

    [Test]
    public void The_quick_start_records_an_error_with_the_message_and_rethrows()
    {
        Assert.That(
            () => QuickStart.MostRecentStartResultAsync(Api.Url, null, (_, _) => throw new InvalidOperationException("A database error occurred.")),
            Throws.InvalidOperationException.With.Message.EqualTo("A database error occurred."));

        Assert.That(Row.Status, Is.EqualTo("error"));
        Assert.That(Row.Message, Is.EqualTo("A database error occurred."));
    }

    [Test]
    public async Task The_one_line_RunAsync_records_success_with_the_count()
    {
        var n = await QuickStart.RunAsync(Api.Url, Token, (_, _) => Task.FromResult(7L), CancellationToken.None);

        Assert.That(n, Is.EqualTo(7));
        Assert.That(Row.Status, Is.EqualTo("success"));
        Assert.That(Row.RecordsProcessed, Is.EqualTo(7));
    }

    [Test]
    public async Task The_run_handle_records_success_with_the_count()
    {
        await QuickStart.RunHandleAsync(Api.Url, Token, (_, _) => Task.FromResult(11L), CancellationToken.None);

        Assert.That(Row.Status, Is.EqualTo("success"));
        Assert.That(Row.RecordsProcessed, Is.EqualTo(11));
    }

    [Test]
    public void The_run_handle_records_an_error_when_the_work_throws_before_an_outcome()
    {
        Assert.That(
            () => QuickStart.RunHandleAsync(Api.Url, Token, (_, _) => throw new InvalidOperationException("source down"), CancellationToken.None),
            Throws.InvalidOperationException);

        Assert.That(Row.Status, Is.EqualTo("error"));
        Assert.That(Row.Message, Is.EqualTo(JobRun.NoOutcomeMessage));
    }
}
