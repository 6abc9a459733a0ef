namespace JobUtil.Tests.Core;

/// <summary>Error answers of every PostgREST era, and 2xx answers that are not what PostgREST sends, become the library's exception.</summary>
public class ErrorTests : ServerFixture
{
    private static IEnumerable<TestCaseData> ErrorBodies()
    {
        yield return new TestCaseData(400,
                """{"code":"23502","details":"Failing row contains (7, x, null).","hint":null,"message":"null value in column \"source\" of relation \"jobs\" violates not-null constraint"}""",
                "23502", "null value in column \"source\" of relation \"jobs\" violates not-null constraint", "Failing row contains (7, x, null).", null)
            .SetName("modern four keys, 400 not-null violation");
        yield return new TestCaseData(404,
                """{"code":"PGRST205","details":null,"hint":"Perhaps you meant the table 'api.jobs'","message":"Could not find the table 'api.nope' in the schema cache"}""",
                "PGRST205", "Could not find the table 'api.nope' in the schema cache", null, "Perhaps you meant the table 'api.jobs'")
            .SetName("modern four keys with a hint, 404 unknown table");
        yield return new TestCaseData(409,
                """{"hint":null,"details":"Key (id)=(1) already exists.","code":"23505","message":"duplicate key value violates unique constraint \"jobs_pkey\""}""",
                "23505", "duplicate key value violates unique constraint \"jobs_pkey\"", "Key (id)=(1) already exists.", null)
            .SetName("keys in another order, 409");
        yield return new TestCaseData(400,
                """{"message":"column jobs.nope does not exist","code":"42703","details":"","hint":""}""",
                "42703", "column jobs.nope does not exist", null, null)
            .SetName("old era PostgreSQL error with empty strings");
        yield return new TestCaseData(400,
                """{"message":"\"failed to parse filter (eqq.x)\" (line 1, column 6)"}""",
                null, "\"failed to parse filter (eqq.x)\" (line 1, column 6)", null, null)
            .SetName("old era PostgREST error with only a message");
        yield return new TestCaseData(403,
                """{"code":"42501","details":null,"hint":null,"message":"permission denied for table jobs"}""",
                "42501", "permission denied for table jobs", null, null)
            .SetName("403 permission denied");
    }

    [TestCaseSource(nameof(ErrorBodies))]
    public void An_error_body_of_any_era_gives_JobsApiException_with_its_fields(int status, string body, string? code, string message, string? details, string? hint)
    {
        Answer("GET", status, body);
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse", Token);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.GetType(), Is.EqualTo(typeof(JobsApiException)));
            Assert.That(error.Status, Is.EqualTo(status));
            Assert.That(error.ErrorCode, Is.EqualTo(code));
            Assert.That(error.ServerMessage, Is.EqualTo(message));
            Assert.That(error.Details, Is.EqualTo(details));
            Assert.That(error.Hint, Is.EqualTo(hint));
            Assert.That(error.ResponseExcerpt, Is.Null);
            Assert.That(error.IsTransient, Is.False);
            Assert.That(error.Message, Does.StartWith("Reading the watermark of job 'my_etl_job' failed"));
            Assert.That(error.Message, Does.Contain(status.ToString()).And.Contain(message));
            Assert.That(error.Message, Does.Not.Contain(Token));
            Assert.That(error.Message, Does.Not.Contain(".."), "one full stop");
        });
        if (code is not null)
        {
            Assert.That(error.Message, Does.Contain("[code " + code + "]"));
        }

        if (details is not null)
        {
            Assert.That(error.Message, Does.Contain(details));
        }

        if (hint is not null)
        {
            Assert.That(error.Message, Does.Contain(hint));
        }
    }

    [Test]
    public void A_Retry_After_as_an_HTTP_date_is_read_as_the_wait_until_that_date_on_the_jobs_clock()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2024, 3, 1, 2, 0, 0, TimeSpan.Zero));
        Answer("GET", 503, """{"code":"PGRST002","details":null,"hint":null,"message":"busy"}""", ("Retry-After", clock.GetUtcNow().AddSeconds(3).ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
        var options = Options();
        options.MaxRetryAttempts = 0;
        using var http = new HttpClient();
        using var job = new Job("my_etl_job", options, http, clock);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void An_expired_token_says_the_token_was_rejected_and_why()
    {
        Answer("GET", 401, """{"code":"PGRST303","details":null,"hint":null,"message":"JWT expired"}""",
            ("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"JWT expired\""));
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse", Token);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.EqualTo(401));
            Assert.That(error.ErrorCode, Is.EqualTo("PGRST303"));
            Assert.That(error.Message, Does.Contain("rejected the token").And.Contain("JWT expired"));
            Assert.That(error.ToString(), Does.Not.Contain(Token));
        });
    }

    [Test]
    public void A_401_whose_reason_is_only_in_WWW_Authenticate_still_says_JWT_expired()
    {
        Server.Given(WireMock.RequestBuilders.Request.Create().UsingGet()).RespondWith(WireMock.ResponseBuilders.Response.Create()
            .WithStatusCode(401).WithHeader("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"JWT expired\""));
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse", Token);

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.That(error.Message, Does.Contain("rejected the token").And.Contain("JWT expired"));
        Assert.That(error.ServerMessage, Is.EqualTo("JWT expired"));
    }

    [Test]
    public void A_401_without_a_token_says_a_token_is_required()
    {
        Answer("POST", 401, """{"code":"42501","details":null,"hint":null,"message":"permission denied for table jobs"}""",
            ("WWW-Authenticate", "Bearer"));
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.StartAsync())!;

        Assert.That(error.Message, Does.Contain("requires a token").And.Contain("permission denied for table jobs"));
        Assert.That(job.Current, Is.Null);
    }

    [Test]
    public void An_error_that_is_not_PostgREST_JSON_carries_an_excerpt_of_the_body()
    {
        var page = "<html><head><title>400 Bad Request</title></head><body>" + new string('x', 500) + "</body></html>";
        Server.Given(WireMock.RequestBuilders.Request.Create().UsingGet()).RespondWith(WireMock.ResponseBuilders.Response.Create()
            .WithStatusCode(400).WithHeader("Content-Type", "text/html").WithBody(page));
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.MostRecentAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Status, Is.EqualTo(400));
            Assert.That(error.ErrorCode, Is.Null);
            Assert.That(error.ResponseExcerpt, Does.StartWith("<html><head><title>400 Bad Request</title>"));
            Assert.That(error.ResponseExcerpt!.Length, Is.LessThan(page.Length));
            Assert.That(error.Message, Does.Contain("<title>400 Bad Request</title>"));
        });
    }

    [Test]
    public void A_409_from_the_overlap_guard_on_start_is_JobAlreadyRunningException()
    {
        Answer("POST", 409, """{"code":"23505","details":"Key (name)=(my_etl_job) already exists.","hint":null,"message":"duplicate key value violates unique constraint \"jobs_one_in_progress\""}""");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");

        var error = Assert.ThrowsAsync<JobAlreadyRunningException>(() => job.StartAsync())!;

        Assert.That(error.JobName, Is.EqualTo("my_etl_job"));
        Assert.That(error.Status, Is.EqualTo(409));
        Assert.That(error.Details, Does.Contain("already exists"));
    }

    [TestCase(200, "[]", TestName = "PATCH matching no row: 200 with []")]
    [TestCase(404, "", TestName = "PATCH matching no row: 404 with no body (PostgREST v6 to v10.0)")]
    [TestCase(404, "{}", TestName = "PATCH matching no row: 404 with {}")]
    public async Task A_PATCH_that_matched_no_row_is_JobRunNotFoundException(int status, string body)
    {
        Answer("POST", 201, "[" + Row(42) + "]");
        Answer("PATCH", status, body);
        Answer("GET", 200, "[]");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");
        await job.StartAsync();

        var error = Assert.ThrowsAsync<JobRunNotFoundException>(() => job.ResultAsync(JobStatus.Success))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.RunId, Is.EqualTo(42));
            Assert.That(error.Status, Is.EqualTo(status));
            Assert.That(error.Message, Does.Contain("run 42 was not found"));
            Assert.That(error.Attempts, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_PATCH_to_a_table_that_does_not_exist_is_not_mistaken_for_a_missing_run()
    {
        Answer("POST", 201, "[" + Row(42) + "]");
        Answer("PATCH", 404, """{"code":"PGRST205","details":null,"hint":null,"message":"Could not find the table 'api.jobs' in the schema cache"}""");
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");
        await job.StartAsync();

        var error = Assert.ThrowsAsync<JobsApiException>(() => job.ResultAsync(JobStatus.Success))!;

        Assert.That(error, Is.Not.InstanceOf<JobRunNotFoundException>());
        Assert.That(error.ErrorCode, Is.EqualTo("PGRST205"));
    }

    private static readonly string[] Operations = ["GET", "POST", "PATCH"];

    private static IEnumerable<TestCaseData> UnexpectedBodies()
    {
        var bodies = new (string Name, string ContentType, string Body)[]
        {
            ("an HTML page from a proxy", "text/html", "<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>"),
            ("an HTML page in a charset .NET does not know", "text/html; charset=windows-1252", "<html><body>Wartungsarbeiten</body></html>"),
            ("an object instead of an array", "application/json", """{"id":1,"name":"my_etl_job"}"""),
            ("an empty body", "application/json", ""),
            ("an array holding null", "application/json", "[null]"),
            ("null", "application/json", "null"),
            ("an array of empty objects", "application/json", "[{}]"),
            ("a row whose timestamp is not one", "application/json", """[{"id":1,"name":"n","start_date":"yesterday","status":"success","source":"s","destination":"d"}]"""),
            ("a row without its start_date", "application/json", """[{"id":1,"name":"n","status":"success","source":"s","destination":"d"}]"""),
            ("truncated JSON", "application/json", """[{"id":1,"name":"""),
        };
        foreach (var operation in Operations)
        {
            foreach (var (name, contentType, body) in bodies)
            {
                yield return new TestCaseData(operation, contentType, body).SetName($"2xx to {operation} with {name}");
            }
        }

        yield return new TestCaseData("POST", "application/json", "[" + Row(1) + ", \n " + Row(2) + "]").SetName("2xx to POST with two rows");
    }

    [TestCaseSource(nameof(UnexpectedBodies))]
    public async Task A_2xx_whose_body_is_not_the_expected_JSON_gives_JobsApiException_with_an_excerpt(string operation, string contentType, string body)
    {
        using var job = new Job("my_etl_job", TableUrl, "inventory_system", "data_warehouse");
        if (operation == "PATCH")
        {
            Answer("POST", 201, "[" + Row(42) + "]");
            await job.StartAsync();
        }

        // What the client reads after a 2xx that is not the row: no run of its own (POST), the run still in progress (PATCH).
        if (operation != "GET")
        {
            Answer("GET", 200, operation == "PATCH" ? "[" + Row(42) + "]" : "[]");
        }

        var status = operation == "POST" ? 201 : 200;
        Server.Given(WireMock.RequestBuilders.Request.Create().UsingMethod(operation)).AtPriority(0).RespondWith(
            WireMock.ResponseBuilders.Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));

        Func<Task> call = operation switch
        {
            "GET" => () => job.MostRecentAsync(),
            "POST" => () => job.StartAsync(),
            _ => () => job.ResultAsync(JobStatus.Success, 1),
        };

        var error = Assert.ThrowsAsync<JobsApiException>(() => call())!;

        Assert.Multiple(() =>
        {
            Assert.That(error.GetType(), Is.EqualTo(typeof(JobsApiException)));
            Assert.That(error.Status, Is.EqualTo(status));
            Assert.That(error.ResponseExcerpt, Is.Not.Null.And.Not.Empty);
            Assert.That(error.Message, Does.Contain("Response body: " + (body.Length == 0 ? "(empty)" : body.Substring(0, Math.Min(body.Length, 20)))));
            Assert.That(error.InnerException, Is.Null.Or.InstanceOf<System.Text.Json.JsonException>().Or.InstanceOf<InvalidOperationException>(), "the cause is the parser's or the charset's complaint");
        });
    }
}
