using System.Text.Json;
using JobUtil.Internal;

namespace JobUtil.Tests.Input;

/// <summary>
/// A <c>timestamp without time zone</c> column comes back without an offset. JobUtil writes UTC, so such a value is read
/// as UTC, never in the ETL host's local zone: a host in New York must not move the watermark by five hours.
/// </summary>
[NonParallelizable]
public class OffsetlessTimestampTests
{
    private string? _savedTz;

    [SetUp]
    public void UseANonUtcLocalZone()
    {
        // The process's local zone comes from TZ on Unix; CI runs in UTC, where the defect would not show.
        _savedTz = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", "America/New_York");
        TimeZoneInfo.ClearCachedData();
        Assume.That(TimeZoneInfo.Local.GetUtcOffset(new DateTime(2024, 6, 1)), Is.Not.EqualTo(TimeSpan.Zero), "the local zone could not be changed on this platform");
    }

    [TearDown]
    public void RestoreTheLocalZone()
    {
        Environment.SetEnvironmentVariable("TZ", _savedTz);
        TimeZoneInfo.ClearCachedData();
    }

    [TestCase("2024-06-01T12:00:00")]
    [TestCase("2024-06-01T12:00:00.123456")]
    [TestCase("2024-06-01 12:00:00")]
    public void A_timestamp_without_an_offset_is_read_as_UTC(string text)
    {
        var rows = JsonSerializer.Deserialize($$"""[{"id":1,"name":"n","start_date":"{{text}}","end_date":"{{text}}","message":null,"status":"success","records_processed":1,"source":"s","destination":"d"}]""", JobsJsonContext.Default.JobRecordArray)!;

        Assert.That(rows[0].StartDate.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(rows[0].StartDate.UtcDateTime.Hour, Is.EqualTo(12));
        Assert.That(rows[0].EndDate!.Value.UtcDateTime.Hour, Is.EqualTo(12));
    }

    [TestCase("2024-06-01T12:00:00+00:00", 12)]
    [TestCase("2024-06-01T12:00:00-05:00", 17)]
    [TestCase("2024-06-01T12:00:00.5+02", 10)]
    [TestCase("2024-06-01T12:00:00Z", 12)]
    public void A_timestamp_with_an_offset_keeps_it(string text, int utcHour)
    {
        var rows = JsonSerializer.Deserialize($$"""[{"id":1,"name":"n","start_date":"{{text}}","end_date":null,"message":null,"status":"in_progress","records_processed":null,"source":"s","destination":"d"}]""", JobsJsonContext.Default.JobRecordArray)!;

        Assert.That(rows[0].StartDate.UtcDateTime.Hour, Is.EqualTo(utcHour));
    }

    [TestCase("2024-06-01T12:00:00", 12)]
    [TestCase(" 2024-06-01 12:00:00.123456 ", 12)]
    [TestCase("2024-06-01T12:00:00-05:00", 17)]
    [TestCase("2024-06-01T12:00:00+0530", 6)]
    [TestCase("2024-06-01T12:00:00Z", 12)]
    public void JobTimestamps_reads_what_the_Jobs_API_prints_and_an_offset_less_one_as_UTC(string text, int utcHour)
    {
        Assert.That(JobTimestamps.TryParse(text, out var value), Is.True);
        Assert.That(value.UtcDateTime.Hour, Is.EqualTo(utcHour));
    }

    [TestCase("")]
    [TestCase(null)]
    [TestCase("yesterday")]
    [TestCase("2024-06-01")]
    [TestCase("1718000000")]
    public void JobTimestamps_refuses_what_is_not_a_timestamp(string? text)
        => Assert.That(JobTimestamps.TryParse(text, out _), Is.False);

    [Test]
    public void JobTimestamps_writes_UTC_with_microseconds_and_reads_it_back()
    {
        var value = new DateTimeOffset(2024, 6, 1, 7, 0, 0, TimeSpan.FromHours(-5)).AddTicks(1234567);

        var text = JobTimestamps.Format(value);

        Assert.That(text, Is.EqualTo("2024-06-01T12:00:00.123456Z"));
        Assert.That(JobTimestamps.TryParse(text, out var back) ? back : default, Is.EqualTo(value.AddTicks(-7)));
    }
}
