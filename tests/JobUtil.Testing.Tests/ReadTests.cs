namespace JobUtil.Testing.Tests;

/// <summary>GET: every filter operator, several filters on one column, order, limit, offset and select.</summary>
public class ReadTests : FakeApiFixture
{
    [SetUp]
    public void SeedRows() => Api.Seed(
        Row("a", "2024-01-01T00:00:00Z", records: 10, end: "2024-01-01T01:00:00Z"),
        Row("b", "2024-01-02T00:00:00Z", status: "error", records: null, message: "boom"),
        Row("c", "2024-01-03T00:00:00Z", status: "in_progress", records: 30),
        Row("d,e", "2024-01-04T00:00:00Z", records: 40, end: "2024-01-04T02:00:00Z"));

    private async Task<long[]> IdsAsync(string query)
    {
        var (status, body, _) = await GetAsync((query.Length == 0 ? "?" : query + "&") + "select=id");
        Assert.That(status, Is.EqualTo(200), body);
        using var document = System.Text.Json.JsonDocument.Parse(body);
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetInt64())];
    }

    [TestCase("?name=eq.a", new long[] { 1 })]
    [TestCase("?status=neq.success", new long[] { 2, 3 })]
    [TestCase("?records_processed=gt.10", new long[] { 3, 4 })]
    [TestCase("?records_processed=gte.30", new long[] { 3, 4 })]
    [TestCase("?records_processed=lt.30", new long[] { 1 })]
    [TestCase("?records_processed=lte.30", new long[] { 1, 3 })]
    [TestCase("?start_date=gte.2024-01-02T00:00:00Z", new long[] { 2, 3, 4 })]
    [TestCase("?start_date=lt.2024-01-02%2B00:00", new long[] { 1 })]
    [TestCase("?name=in.(a,c)", new long[] { 1, 3 })]
    [TestCase("?name=in.(a,%22d,e%22)", new long[] { 1, 4 })]
    [TestCase("?records_processed=is.null", new long[] { 2 })]
    [TestCase("?end_date=is.not_null", new long[] { 1, 4 })]
    [TestCase("?name=not.eq.a", new long[] { 2, 3, 4 })]
    [TestCase("?name=not.in.(a,b)", new long[] { 3, 4 })]
    [TestCase("?message=like.bo*", new long[] { 2 })]
    [TestCase("?message=ilike.BO*", new long[] { 2 })]
    public async Task Each_filter_operator_selects_the_rows_PostgreSQL_would(string query, long[] expected)
        => Assert.That(await IdsAsync(query), Is.EqualTo(expected));

    [Test]
    public async Task Neq_and_not_exclude_rows_whose_value_is_null_as_sql_does()
        => Assert.That(await IdsAsync("?records_processed=neq.10"), Is.EqualTo(new long[] { 3, 4 }));

    [Test]
    public async Task Several_filters_on_one_column_are_all_applied()
        => Assert.That(await IdsAsync("?id=gt.1&id=lt.4&id=neq.3"), Is.EqualTo(new long[] { 2 }));

    [Test]
    public async Task Order_by_several_keys_breaks_ties_with_the_next_key()
    {
        Api.Seed(Row("a", "2024-01-01T00:00:00Z", records: 5));

        Assert.That(await IdsAsync("?order=name.desc,records_processed.asc"), Is.EqualTo(new long[] { 4, 3, 2, 5, 1 }));
    }

    [Test]
    public async Task Nulls_come_first_descending_and_last_ascending_unless_asked_otherwise()
    {
        Assert.That(await IdsAsync("?order=records_processed.desc"), Is.EqualTo(new long[] { 2, 4, 3, 1 }));
        Assert.That(await IdsAsync("?order=records_processed.desc.nullslast"), Is.EqualTo(new long[] { 4, 3, 1, 2 }));
        Assert.That(await IdsAsync("?order=records_processed.asc"), Is.EqualTo(new long[] { 1, 3, 4, 2 }));
        Assert.That(await IdsAsync("?order=records_processed.nullsfirst"), Is.EqualTo(new long[] { 2, 1, 3, 4 }));
    }

    [Test]
    public async Task Limit_and_offset_page_through_the_ordered_rows()
    {
        Assert.That(await IdsAsync("?order=id.desc&limit=2"), Is.EqualTo(new long[] { 4, 3 }));
        Assert.That(await IdsAsync("?order=id.desc&limit=2&offset=1"), Is.EqualTo(new long[] { 3, 2 }));

        var (_, _, response) = await GetAsync("?order=id&limit=2&offset=1");
        Assert.That(Header(response, "Content-Range"), Is.EqualTo("1-2/*"));
    }

    [Test]
    public async Task Count_exact_reports_the_total_and_a_partial_page_is_206()
    {
        var (status, _, response) = await SendAsync(HttpMethod.Get, "?limit=1", prefer: "count=exact");

        Assert.That(status, Is.EqualTo(206));
        Assert.That(Header(response, "Content-Range"), Is.EqualTo("0-0/4"));
    }

    [Test]
    public async Task Select_returns_only_the_named_columns_in_the_order_asked_with_aliases()
    {
        var (_, body, _) = await GetAsync("?id=eq.1&select=status,started:start_date,id");

        Assert.That(body, Is.EqualTo("[{\"status\":\"success\",\"started\":\"2024-01-01T00:00:00+00:00\",\"id\":1}]"));
    }

    [Test]
    public async Task Several_rows_are_separated_as_json_agg_separates_them()
    {
        var (_, body, _) = await GetAsync("?select=id&id=lte.2&order=id");

        Assert.That(body, Is.EqualTo("[{\"id\":1}, \n {\"id\":2}]"));
    }

    [Test]
    public async Task A_full_row_has_the_thirteen_columns_of_the_schema_in_table_order()
    {
        var (_, body, _) = await GetAsync("?id=eq.2");

        Assert.That(body, Is.EqualTo("[{\"id\":2,\"name\":\"b\",\"start_date\":\"2024-01-02T00:00:00+00:00\",\"end_date\":null,\"message\":\"boom\",\"status\":\"error\",\"records_processed\":null,\"source\":\"src\",\"destination\":\"dst\",\"heartbeat_at\":null,\"host\":null,\"cursor\":null,\"run_key\":null}]"));
    }

    [Test]
    public async Task A_single_object_is_returned_for_the_object_media_type_when_exactly_one_row_matches()
    {
        var (status, body, response) = await GetAsync("?id=eq.1&select=id", accept: "application/vnd.pgrst.object+json");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Is.EqualTo("{\"id\":1}"));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/vnd.pgrst.object+json"));
    }

    [Test]
    public async Task The_object_media_type_with_no_row_is_406_PGRST116()
    {
        var (status, body, _) = await GetAsync("?id=eq.99", accept: "application/vnd.pgrst.object+json");

        Assert.That(status, Is.EqualTo(406));
        Assert.That(body, Is.EqualTo("{\"code\":\"PGRST116\",\"details\":\"The result contains 0 rows\",\"hint\":null,\"message\":\"Cannot coerce the result to a single JSON object\"}"));
    }

    [Test]
    public async Task A_filter_on_an_unknown_column_is_400_42703()
    {
        var (status, body, _) = await GetAsync("?nope=eq.1");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Is.EqualTo("{\"code\":\"42703\",\"details\":null,\"hint\":null,\"message\":\"column jobs.nope does not exist\"}"));
    }

    [Test]
    public async Task An_unknown_operator_is_400_PGRST100()
    {
        var (status, body, _) = await GetAsync("?name=equals.a");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"PGRST100\"").And.Contain("failed to parse filter (equals.a)"));
    }

    [Test]
    public async Task A_bad_integer_in_a_filter_is_400_22P02()
    {
        var (status, body, _) = await GetAsync("?id=eq.abc");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"22P02\"").And.Contain("invalid input syntax for type integer: \\\"abc\\\""));
    }

    [Test]
    public async Task A_plus_sign_left_unencoded_in_an_offset_is_read_as_a_space_and_rejected_22007()
    {
        var (status, body, _) = await GetAsync("?start_date=eq.2024-01-01T00:00:00+00:00");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.Contain("\"code\":\"22007\"").And.Contain("2024-01-01T00:00:00 00:00"));
    }

    [Test]
    public async Task An_unknown_accept_type_is_406_PGRST107()
    {
        var (status, body, _) = await GetAsync("", accept: "text/html");

        Assert.That(status, Is.EqualTo(406));
        Assert.That(body, Does.Contain("\"code\":\"PGRST107\""));
    }

    [Test]
    public async Task An_unknown_table_is_404_PGRST205()
    {
        var (status, body, response) = await GetAsync(Api.BaseUrl + "/nope");

        Assert.That(status, Is.EqualTo(404));
        Assert.That(body, Is.EqualTo("{\"code\":\"PGRST205\",\"details\":null,\"hint\":null,\"message\":\"Could not find the table 'api.nope' in the schema cache\"}"));
        Assert.That(Header(response, "Proxy-Status"), Is.EqualTo("PostgREST; error=PGRST205"));
    }
}
