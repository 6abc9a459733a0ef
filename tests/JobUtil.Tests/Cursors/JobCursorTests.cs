namespace JobUtil.Tests.Cursors;

/// <summary>The typed cursors: a timestamp (UTC, microseconds) and a 64-bit integer, written and read back exactly.</summary>
public class JobCursorTests
{
    private static readonly DateTimeOffset[] Instants =
    [
        new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(5.5)).AddTicks(1_234_560),
        new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.FromHours(-8)).AddTicks(9_999_990),
        DateTimeOffset.UnixEpoch,
        new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990),
    ];

    [TestCaseSource(nameof(Instants))]
    public void A_timestamp_round_trips_as_the_same_instant_in_UTC(DateTimeOffset instant)
    {
        var cursor = JobCursor.FromTimestamp(instant);
        var read = JobCursor.ToTimestamp(cursor);

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(instant));
            Assert.That(read!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(cursor, Does.EndWith("Z").And.Length.EqualTo("2024-05-01T12:00:00.000000Z".Length));
        });
    }

    [Test]
    public void A_timestamp_keeps_microseconds_and_cuts_finer_ticks_so_the_next_run_reads_from_at_or_before_it()
    {
        var instant = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);

        var cursor = JobCursor.FromTimestamp(instant);

        Assert.Multiple(() =>
        {
            Assert.That(cursor, Is.EqualTo("2024-05-01T12:00:00.123456Z"));
            Assert.That(JobCursor.ToTimestamp(cursor), Is.EqualTo(instant.AddTicks(-7)));
        });
    }

    [TestCase("2024-05-01T17:30:00+05:30", "2024-05-01T12:00:00.000000Z")]
    [TestCase("2024-05-01 12:00:00.5", "2024-05-01T12:00:00.500000Z")]
    public void A_timestamp_written_by_hand_is_read_as_UTC(string cursor, string expected)
        => Assert.That(JobCursor.FromTimestamp(JobCursor.ToTimestamp(cursor)!.Value), Is.EqualTo(expected));

    [TestCase(0L)]
    [TestCase(42L)]
    [TestCase(-42L)]
    [TestCase(long.MaxValue)]
    [TestCase(long.MinValue)]
    public void An_integer_round_trips(long value)
    {
        var cursor = JobCursor.FromInt64(value);

        Assert.Multiple(() =>
        {
            Assert.That(JobCursor.ToInt64(cursor), Is.EqualTo(value));
            Assert.That(cursor, Does.Match("^-?[0-9]+$"));
        });
    }

    [Test]
    public void No_cursor_reads_as_null()
    {
        Assert.Multiple(() =>
        {
            Assert.That(JobCursor.ToTimestamp(null), Is.Null);
            Assert.That(JobCursor.ToInt64(null), Is.Null);
        });
    }

    [TestCase("yesterday")]
    [TestCase("2024-13-01T00:00:00Z")]
    [TestCase("")]
    public void A_cursor_that_is_not_a_timestamp_is_a_FormatException_that_quotes_it(string cursor)
        => Assert.That(() => JobCursor.ToTimestamp(cursor), Throws.InstanceOf<FormatException>().With.Message.Contain($"\"{cursor}\""));

    [TestCase("1e3")]
    [TestCase("42.0")]
    [TestCase("9223372036854775808")]
    [TestCase(" 42")]
    [TestCase("")]
    public void A_cursor_that_is_not_an_integer_is_a_FormatException(string cursor)
        => Assert.That(() => JobCursor.ToInt64(cursor), Throws.InstanceOf<FormatException>());
}
