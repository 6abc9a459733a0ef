using JobUtil.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace JobUtil.Tests.Core;

/// <summary>Bodies as every PostgREST and PostgreSQL version writes them parse into the same values.</summary>
public class ParsingTests : ServerFixture
{
    private static readonly DateTimeOffset Whole = new(2023, 10, 18, 12, 37, 59, TimeSpan.Zero);

    private static IEnumerable<TestCaseData> Timestamps()
    {
        yield return new TestCaseData("2023-10-18T12:37:59+00:00", Whole).SetName("no fraction, +00:00");
        yield return new TestCaseData("2023-10-18T12:37:59Z", Whole).SetName("no fraction, Z");
        yield return new TestCaseData("2023-10-18T05:37:59.6-07:00", Whole.AddMilliseconds(600)).SetName("1 digit, -07:00");
        yield return new TestCaseData("2023-10-18T05:37:59.61-07:00", Whole.AddMilliseconds(610)).SetName("2 digits");
        yield return new TestCaseData("2023-10-18T05:37:59.611-07:00", Whole.AddMilliseconds(611)).SetName("3 digits");
        yield return new TestCaseData("2023-10-18T18:07:59.6112+05:30", Whole.AddTicks(6_112_000)).SetName("4 digits, +05:30");
        yield return new TestCaseData("2023-10-18T12:37:59.61123+00:00", Whole.AddTicks(6_112_300)).SetName("5 digits");
        yield return new TestCaseData("2023-10-18T12:37:59.611234+00:00", Whole.AddTicks(6_112_340)).SetName("6 digits");
        yield return new TestCaseData("2023-10-18T07:37:59.611234-05", Whole.AddTicks(6_112_340)).SetName("6 digits, hour-only offset -05");
        yield return new TestCaseData("2023-10-18 12:37:59.5+00", Whole.AddMilliseconds(500)).SetName("PostgreSQL text form with a space");
        yield return new TestCaseData("2023-10-18T22:37:59+10:00", Whole).SetName("far offset +10:00");
    }

    [TestCaseSource(nameof(Timestamps))]
    public async Task A_watermark_with_any_offset_and_0_to_6_fractional_digits_parses_to_the_same_instant(string text, DateTimeOffset expected)
    {
        Answer("GET", 200, $$"""[{"start_date":"{{text}}"}]""");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");

        var since = await job.MostRecentAsync();

        Assert.That(since, Is.EqualTo(expected));
        Assert.That(since!.Value.UtcTicks, Is.EqualTo(expected.UtcTicks));
    }

    [Test]
    public async Task Several_rows_as_json_agg_writes_them_parse_in_order()
    {
        Answer("GET", 200,
            "[" + Row(9, startDate: "2024-03-02T02:00:00+00:00", status: "success", endDate: "2024-03-02T02:05:00.5+00:00", recordsProcessed: 12)
            + ", \n " + Row(8, startDate: "2024-03-01T21:00:00.25-05:00", status: "error", endDate: "2024-03-01T21:00:01-05:00", message: "boom")
            + ", \n " + Row(7, startDate: "2024-02-29T02:00:00.000001+00:00") + "]");
        using var http = new HttpClient();
        var api = new JobsApi(http, Options(), TimeProvider.System, NullLogger.Instance, "my_etl_job");

        var rows = await api.ListRunsAsync("my_etl_job", 10, CancellationToken.None);

        Assert.That(rows.Select(r => r.Id), Is.EqualTo(new long[] { 9, 8, 7 }));
        Assert.That(rows[0], Is.EqualTo(new JobRecord(
            9, "my_etl_job", new DateTimeOffset(2024, 3, 2, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 3, 2, 2, 5, 0, 500, TimeSpan.Zero),
            null, JobStatus.Success, 12, "inventory_system", "data_warehouse")));
        Assert.That(rows[1].StartDate, Is.EqualTo(new DateTimeOffset(2024, 3, 2, 2, 0, 0, 250, TimeSpan.Zero)));
        Assert.That(rows[1].Message, Is.EqualTo("boom"));
        Assert.That(rows[1].Status, Is.EqualTo(JobStatus.Error));
        Assert.That(rows[2].EndDate, Is.Null);
        Assert.That(rows[2].StartDate.UtcTicks % TimeSpan.TicksPerSecond, Is.EqualTo(10));
        Assert.That(rows[1].Duration, Is.EqualTo(TimeSpan.FromSeconds(0.75)));
    }

    [Test]
    public async Task Fields_that_are_not_among_the_nine_columns_are_ignored()
    {
        var row = Row(42).TrimEnd('}') + """, "tags":{"team":"gis","list":[1,2,{"x":null}]}, "created_by":"cron", "attempt":3}""";
        Answer("POST", 201, "[" + row + "]");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");

        var run = await job.StartAsync();

        Assert.That(run.Id, Is.EqualTo(42));
        Assert.That(run.Source, Is.EqualTo("inventory_system"));
    }

    [Test]
    public async Task A_status_this_client_does_not_know_still_parses_and_keeps_its_text()
    {
        Answer("GET", 200, "[" + Row(42, status: "cancelled") + "]");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");

        var run = await job.GetRunAsync(42);

        Assert.Multiple(() =>
        {
            Assert.That(run.Status.Value, Is.EqualTo("cancelled"));
            Assert.That(run.Status, Is.EqualTo(new JobStatus("cancelled")));
            Assert.That(run.Status, Is.Not.EqualTo(JobStatus.InProgress).And.Not.EqualTo(JobStatus.Success).And.Not.EqualTo(JobStatus.Error));
            Assert.That(run.Status.IsFinal, Is.False);
        });
    }

    [Test]
    public void JobStatus_is_an_extensible_value_compared_by_its_wire_text()
    {
        Assert.Multiple(() =>
        {
            Assert.That(JobStatus.InProgress.Value, Is.EqualTo("in_progress"));
            Assert.That(JobStatus.Success.Value, Is.EqualTo("success"));
            Assert.That(JobStatus.Error.Value, Is.EqualTo("error"));
            Assert.That(new JobStatus("success") == JobStatus.Success, Is.True);
            Assert.That(new JobStatus("Success") == JobStatus.Success, Is.False);
            Assert.That(default(JobStatus).Value, Is.Empty);
            Assert.That(() => new JobStatus(" "), Throws.ArgumentException.With.Property("ParamName").EqualTo("value"));
        });
    }
}
