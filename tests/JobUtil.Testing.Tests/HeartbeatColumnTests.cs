namespace JobUtil.Testing.Tests;

/// <summary>The heartbeat_at and host columns that db/schema.sql adds, and the original nine-column table without them.</summary>
public class HeartbeatColumnTests : FakeApiFixture
{
    [Test]
    public async Task A_run_is_started_with_its_host_and_reports_heartbeats()
    {
        var (_, started, _) = await PostAsync("{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\",\"host\":\"etl-1\"}", query: "?select=heartbeat_at,host");
        var (status, beat, _) = await PatchAsync("?id=eq.1&status=eq.in_progress&select=heartbeat_at,host", "{\"heartbeat_at\":\"2024-01-01T00:05:00.25Z\"}");

        Assert.That(started, Is.EqualTo("[{\"heartbeat_at\":null,\"host\":\"etl-1\"}]"));
        Assert.That((status, beat), Is.EqualTo((200, "[{\"heartbeat_at\":\"2024-01-01T00:05:00.25+00:00\",\"host\":\"etl-1\"}]")));
        Assert.That(Api.Rows.Single().HeartbeatAt, Is.EqualTo(new DateTimeOffset(2024, 1, 1, 0, 5, 0, 250, TimeSpan.Zero)));
    }

    [Test]
    public async Task The_columns_can_be_filtered_and_ordered()
    {
        Api.Seed(
            Row("a", "2024-01-01T00:00:00Z", "in_progress") with { HeartbeatAt = new DateTimeOffset(2024, 1, 1, 0, 1, 0, TimeSpan.Zero), Host = "h" },
            Row("b", "2024-01-01T00:00:00Z", "in_progress"));

        var (_, body, _) = await GetAsync("?select=name&heartbeat_at=is.null&order=host.desc");

        Assert.That(body, Is.EqualTo("[{\"name\":\"b\"}]"));
    }
}

/// <summary>The original nine-column table: heartbeat_at, host and cursor are unknown columns, refused as PostgREST refuses them.</summary>
public class NineColumnTableTests : FakeApiFixture
{
    protected override FakeJobsApiOptions Options => new() { HeartbeatColumns = false, CursorColumn = false, RunKeyColumn = false };

    [Test]
    public async Task A_full_row_has_the_nine_columns_in_table_order()
    {
        Api.Seed(Row("b", "2024-01-02T00:00:00Z", "error", message: "boom"));

        var (_, body, _) = await GetAsync("");

        Assert.That(body, Is.EqualTo("[{\"id\":1,\"name\":\"b\",\"start_date\":\"2024-01-02T00:00:00+00:00\",\"end_date\":null,\"message\":\"boom\",\"status\":\"error\",\"records_processed\":null,\"source\":\"src\",\"destination\":\"dst\"}]"));
    }

    [TestCase("heartbeat_at", "\"2024-01-01T00:00:00Z\"")]
    [TestCase("host", "\"etl-1\"")]
    [TestCase("cursor", "\"42\"")]
    public async Task A_body_naming_an_added_column_is_400_PGRST204(string column, string value)
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z", "in_progress"));

        var (status, body, _) = await PatchAsync("?id=eq.1", $"{{\"{column}\":{value}}}");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo($"{{\"code\":\"PGRST204\",\"details\":null,\"hint\":null,\"message\":\"Could not find the '{column}' column of 'jobs' in the schema cache\"}}"));
    }

    [Test]
    public async Task A_filter_on_a_heartbeat_column_is_400_42703()
    {
        var (status, body, _) = await GetAsync("?or=(heartbeat_at.is.null,id.eq.1)");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"42703\"").And.Contain("jobs.heartbeat_at"));
    }

    [Test]
    public async Task The_clients_requests_work_without_the_columns()
    {
        var (started, _, _) = await PostAsync("{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"end_date\":null,\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}");
        var (ended, body, _) = await PatchAsync("?id=eq.1&status=eq.in_progress", "{\"status\":\"success\",\"end_date\":\"2024-01-01T00:01:00Z\",\"records_processed\":3}");

        Assert.That((started, ended), Is.EqualTo((201, 200)));
        Assert.That(body, Does.Contain("\"status\":\"success\""));
    }

    [Test]
    public async Task A_select_or_filter_of_the_cursor_is_400_42703()
    {
        var (selected, body, _) = await GetAsync("?select=cursor");
        var (filtered, _, _) = await GetAsync("?cursor=not.is.null");

        Assert.That((selected, filtered), Is.EqualTo((400, 400)));
        Assert.That(body, Does.Contain("\"code\":\"42703\"").And.Contain("jobs.cursor"));
    }

    [Test]
    public void Seeding_a_cursor_is_refused()
        => Assert.That(() => Api.Seed(Row("a", "2024-01-01T00:00:00Z") with { Cursor = "c" }), Throws.ArgumentException.With.Message.Contains("cursor"));

    [Test]
    public void Seeding_a_heartbeat_is_refused()
        => Assert.That(() => Api.Seed(Row("a", "2024-01-01T00:00:00Z") with { Host = "h" }), Throws.ArgumentException.With.Message.Contains("heartbeat_at or host"));
}

/// <summary>The cursor column that db/schema.sql adds after the heartbeat columns, and jobs_fleet's last_cursor.</summary>
public class CursorColumnTests : FakeApiFixture
{
    [Test]
    public async Task A_run_records_its_cursor_with_its_outcome_and_it_is_read_back_exactly()
    {
        const string cursor = "a&b #2 100% \"q\" é 😀";
        await PostAsync("{\"name\":\"n\",\"start_date\":\"2024-01-01T00:00:00Z\",\"status\":\"in_progress\",\"source\":\"s\",\"destination\":\"d\"}");
        var (status, _, _) = await PatchAsync("?id=eq.1&status=eq.in_progress", "{\"status\":\"success\",\"end_date\":\"2024-01-01T00:01:00Z\",\"cursor\":\"a&b #2 100% \\\"q\\\" é 😀\"}");

        var (_, body, _) = await GetAsync("?select=cursor&name=eq.n&status=eq.success&cursor=not.is.null&order=start_date.desc,id.desc&limit=1");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(Api.Rows.Single().Cursor, Is.EqualTo(cursor));
        Assert.That(body, Is.EqualTo("[{\"cursor\":\"a&b #2 100% \\\"q\\\" é 😀\"}]"));
    }

    [Test]
    public async Task The_fleet_view_shows_the_cursor_of_the_latest_success_that_stored_one()
    {
        Api.Seed(
            Row("a", "2024-01-01T00:00:00Z", "success") with { Cursor = "1" },
            Row("a", "2024-01-02T00:00:00Z", "success"),
            Row("a", "2024-01-03T00:00:00Z", "error") with { Cursor = "failed" },
            Row("b", "2024-01-01T00:00:00Z", "success"));

        var (_, body, _) = await SendAsync(HttpMethod.Get, Api.FleetUrl + "?select=name,last_cursor");

        Assert.That(body, Is.EqualTo("[{\"name\":\"a\",\"last_cursor\":\"1\"}, \n {\"name\":\"b\",\"last_cursor\":null}]"));
    }
}
