namespace JobUtil.Testing.Tests;

/// <summary>A start_date column of lower precision: timestamptz(3) keeps milliseconds, rounding on insert.</summary>
public class MillisecondStartDateTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new() { StartDatePrecision = 3 };

    [TestCase("2024-06-01T12:00:00.123456Z", "2024-06-01T12:00:00.123+00:00")]
    [TestCase("2024-06-01T12:00:00.1235Z", "2024-06-01T12:00:00.124+00:00")]
    [TestCase("2024-06-01T12:00:00.9996Z", "2024-06-01T12:00:01+00:00")]
    [TestCase("1999-12-31T23:59:59.9985Z", "1999-12-31T23:59:59.998+00:00")]
    public async Task The_start_date_is_rounded_to_milliseconds_when_stored(string sent, string rendered)
    {
        var (_, body, _) = await PostAsync($"{{\"name\":\"n\",\"start_date\":\"{sent}\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}}", query: "?select=start_date");

        Assert.That(body, Is.EqualTo($"[{{\"start_date\":\"{rendered}\"}}]"));
    }

    [Test]
    public async Task A_lookup_by_the_exact_microseconds_sent_finds_nothing()
    {
        await PostAsync("{\"name\":\"n\",\"start_date\":\"2024-06-01T12:00:00.123456Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}");

        var (_, exact, _) = await GetAsync("?select=id&start_date=eq.2024-06-01T12:00:00.123456Z");
        var (_, range, _) = await GetAsync("?select=id&start_date=gte.2024-06-01T12:00:00.122956Z&start_date=lte.2024-06-01T12:00:00.123956Z");

        Assert.That((exact, range), Is.EqualTo(("[]", "[{\"id\":1}]")));
    }

    [Test]
    public async Task Other_timestamps_keep_microseconds()
    {
        await PostAsync("{\"name\":\"n\",\"start_date\":\"2024-06-01T12:00:00Z\",\"end_date\":\"2024-06-01T12:00:00.123456Z\",\"status\":\"success\",\"source\":\"s\",\"destination\":\"d\"}");

        Assert.That(Api.Rows.Single().EndDate, Is.EqualTo(new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560)));
    }

    [TestCase(-1)]
    [TestCase(7)]
    public void A_precision_outside_0_to_6_is_refused(int precision)
        => Assert.That(() => FakeJobsApi.Start(new FakeJobsApiOptions { StartDatePrecision = precision }), Throws.InstanceOf<ArgumentOutOfRangeException>());
}

/// <summary>A start_date column of timestamptz(0) keeps whole seconds.</summary>
public class SecondStartDateTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new() { StartDatePrecision = 0 };

    [TestCase("2024-06-01T12:00:00.499999Z", "2024-06-01T12:00:00+00:00")]
    [TestCase("2024-06-01T12:00:00.5Z", "2024-06-01T12:00:01+00:00")]
    [TestCase("1999-12-31T23:59:58.5Z", "1999-12-31T23:59:58+00:00")]
    public async Task The_start_date_is_rounded_to_seconds_when_stored(string sent, string rendered)
    {
        var (_, body, _) = await PostAsync($"{{\"name\":\"n\",\"start_date\":\"{sent}\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}}", query: "?select=start_date");

        Assert.That(body, Is.EqualTo($"[{{\"start_date\":\"{rendered}\"}}]"));
    }
}

/// <summary>TIMESTAMP (without time zone) columns: offsets are ignored on the way in, and none is rendered on the way out.</summary>
public class TimestampWithoutTimeZoneTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new()
    {
        TimestampsWithoutTimeZone = true,
        TimeZone = TimeZoneInfo.CreateCustomTimeZone("UTC-05", TimeSpan.FromHours(-5), "UTC-05", "UTC-05"),
    };

    [TestCase("2024-06-01T12:00:00+00:00", "2024-06-01T12:00:00")]
    [TestCase("2024-06-01T12:00:00Z", "2024-06-01T12:00:00")]
    [TestCase("2024-06-01T12:00:00.25-05:00", "2024-06-01T12:00:00.25")]
    [TestCase("2024-06-01 12:00:00", "2024-06-01T12:00:00")]
    public async Task A_value_keeps_its_wall_time_and_is_rendered_without_an_offset(string sent, string rendered)
    {
        var (_, body, _) = await PostAsync($"{{\"name\":\"n\",\"start_date\":\"{sent}\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}}", query: "?select=start_date");

        Assert.That(body, Is.EqualTo($"[{{\"start_date\":\"{rendered}\"}}]"));
    }

    [Test]
    public async Task A_filter_compares_wall_times_too()
    {
        await PostAsync("{\"name\":\"n\",\"start_date\":\"2024-06-01T12:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}");

        var (_, body, _) = await GetAsync("?select=id&start_date=eq.2024-06-01T12:00:00-07:00");

        Assert.That(body, Is.EqualTo("[{\"id\":1}]"));
        Assert.That(Api.Rows.Single().StartDate, Is.EqualTo(new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public async Task Error_details_print_timestamps_without_an_offset()
    {
        var (_, body, _) = await PostAsync("{\"name\":\"n\",\"start_date\":\"2024-06-01T12:00:00Z\",\"status\":\"bogus\",\"source\":\"s\",\"destination\":\"d\"}");

        Assert.That(body, Does.Contain("Failing row contains (1, n, 2024-06-01 12:00:00, null, null, bogus, null, s, d, null, null, null, null)."));
    }
}
