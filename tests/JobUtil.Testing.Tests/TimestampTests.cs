namespace JobUtil.Testing.Tests;

/// <summary>Timestamps read and rendered as PostgreSQL reads and renders <c>timestamptz</c>.</summary>
public class TimestampTests : FakeApiFixture
{
    private async Task<string> StoreAndReadAsync(string startDate)
    {
        var (status, body, _) = await PostAsync($"{{\"name\":\"n\",\"start_date\":\"{startDate}\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}}", query: "?select=start_date");
        Assert.That(status, Is.EqualTo(201), body);
        return body;
    }

    [TestCase("2019-06-20 17:18:46-05:00", "2019-06-20T22:18:46+00:00")]
    [TestCase("2019-06-20T22:18:46Z", "2019-06-20T22:18:46+00:00")]
    [TestCase("2019-06-20T22:18:46.500000Z", "2019-06-20T22:18:46.5+00:00")]
    [TestCase("2019-06-20T22:18:46.123456+00:00", "2019-06-20T22:18:46.123456+00:00")]
    [TestCase("2019-06-20T22:18:46.0000004Z", "2019-06-20T22:18:46+00:00")]
    [TestCase("2019-06-20T22:18:46.1234567Z", "2019-06-20T22:18:46.123457+00:00")]
    [TestCase("2019-06-20T22:18:46.9999996Z", "2019-06-20T22:18:47+00:00")]
    [TestCase("2019-06-20T22:18:46.123456789+02", "2019-06-20T20:18:46.123457+00:00")]
    [TestCase("2019-06-20 22:18:46", "2019-06-20T22:18:46+00:00")]
    public async Task Timestamps_have_an_offset_and_a_trimmed_fraction_only_when_non_zero_rounded_to_microseconds(string sent, string rendered)
        => Assert.That(await StoreAndReadAsync(sent), Is.EqualTo($"[{{\"start_date\":\"{rendered}\"}}]"));

    [Test]
    public async Task Stored_timestamps_keep_microseconds()
    {
        await StoreAndReadAsync("2019-06-20T22:18:46.1234567Z");

        Assert.That(Api.Rows.Single().StartDate, Is.EqualTo(new DateTimeOffset(2019, 6, 20, 22, 18, 46, TimeSpan.Zero).AddTicks(1_234_570)));
    }
}

/// <summary>A database in another time zone renders timestamps with that zone's offset.</summary>
public class TimeZoneTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new()
    {
        TimeZone = TimeZoneInfo.CreateCustomTimeZone("UTC-07", TimeSpan.FromHours(-7), "UTC-07", "UTC-07"),
    };

    [Test]
    public async Task Timestamps_are_rendered_in_the_server_zone()
    {
        Api.Seed(Row("n", "2023-10-18T12:37:59.611Z"));

        var (_, body, _) = await GetAsync("?select=start_date");

        Assert.That(body, Is.EqualTo("[{\"start_date\":\"2023-10-18T05:37:59.611-07:00\"}]"));
    }

    [Test]
    public async Task A_timestamp_without_an_offset_is_read_in_the_server_zone()
    {
        await PostAsync("{\"name\":\"n\",\"start_date\":\"2023-10-18 05:00:00\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}");

        Assert.That(Api.Rows.Single().StartDate, Is.EqualTo(new DateTimeOffset(2023, 10, 18, 12, 0, 0, TimeSpan.Zero)));
    }
}
