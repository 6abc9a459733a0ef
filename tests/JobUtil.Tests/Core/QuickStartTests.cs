using JobUtil.Tests.Resilience;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace JobUtil.Tests.Core;

/// <summary>The README's quick start does what the README says, against a jobs table.</summary>
public class QuickStartTests : ServerFixture
{
    private JobsTable _table = null!;

    [SetUp]
    public void NewTable()
    {
        _table = new JobsTable();
        Server.Given(Request.Create().WithPath(TablePath).UsingGet()).RespondWith(Response.Create().WithCallback(r => Reply(200, _table.Select(r))));
        Server.Given(Request.Create().WithPath(TablePath).UsingPost()).RespondWith(Response.Create().WithCallback(r => Reply(201, _table.Insert(r))));
        Server.Given(Request.Create().WithPath(TablePath).UsingPatch()).RespondWith(Response.Create().WithCallback(r => Reply(200, _table.Update(r))));
    }

    [Test]
    public async Task The_quick_start_records_success_with_the_count_then_passes_the_watermark_to_the_next_run()
    {
        var seen = new List<DateTimeOffset?>();

        await QuickStart.MostRecentStartResultAsync(TableUrl, Token, (since, _) => { seen.Add(since); return Task.FromResult(503L); });
        await QuickStart.MostRecentStartResultAsync(TableUrl, Token, (since, _) => { seen.Add(since); return Task.FromResult(2L); });

        var first = _table.Rows[0];
        Assert.That(first["status"]!.GetValue<string>(), Is.EqualTo("success"));
        Assert.That(first["records_processed"]!.GetValue<long>(), Is.EqualTo(503));
        Assert.That(seen[0], Is.Null);
        Assert.That(seen[1], Is.EqualTo(DateTimeOffset.Parse(first["start_date"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void The_quick_start_records_an_error_with_the_message_and_rethrows()
    {
        Assert.That(
            () => QuickStart.MostRecentStartResultAsync(TableUrl, null, (_, _) => throw new InvalidOperationException("A database error occurred.")),
            Throws.InvalidOperationException.With.Message.EqualTo("A database error occurred."));

        var row = _table.Rows.Single();
        Assert.That(row["status"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(row["message"]!.GetValue<string>(), Is.EqualTo("A database error occurred."));
    }

    [Test]
    public async Task The_one_line_RunAsync_records_success_with_the_count()
    {
        var n = await QuickStart.RunAsync(TableUrl, Token, (_, _) => Task.FromResult(7L), CancellationToken.None);

        Assert.That(n, Is.EqualTo(7));
        Assert.That(_table.Rows.Single()["status"]!.GetValue<string>(), Is.EqualTo("success"));
    }
}
