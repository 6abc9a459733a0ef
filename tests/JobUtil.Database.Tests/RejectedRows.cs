namespace JobUtil.Database.Tests;

/// <summary>
/// Rows the jobs table must refuse, as the JSON body a client would POST to PostgREST, with the SQLSTATE that
/// PostgreSQL answers. Shared by the schema tests (against PostgreSQL) and the FakeJobsApi comparison.
/// </summary>
public static class RejectedRows
{
    public sealed record Case(string Name, string Body, string SqlState)
    {
        public override string ToString() => Name;
    }

    /// <summary>A row the table accepts; every case below breaks it in one way.</summary>
    public const string ValidBody =
        """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","end_date":null,"status":"in_progress","source":"inventory","destination":"warehouse"}""";

    public static readonly IReadOnlyList<Case> All =
    [
        new("name missing", """{"start_date":"2019-06-20T22:18:46+00:00","status":"in_progress","source":"inventory","destination":"warehouse"}""", "23502"),
        new("name null", """{"name":null,"start_date":"2019-06-20T22:18:46+00:00","status":"in_progress","source":"inventory","destination":"warehouse"}""", "23502"),
        new("start_date null", """{"name":"nightly_load","start_date":null,"status":"in_progress","source":"inventory","destination":"warehouse"}""", "23502"),
        new("status missing", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","source":"inventory","destination":"warehouse"}""", "23502"),
        new("source null", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","status":"in_progress","source":null,"destination":"warehouse"}""", "23502"),
        new("destination missing", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","status":"in_progress","source":"inventory"}""", "23502"),
        new("status unknown", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","status":"running","source":"inventory","destination":"warehouse"}""", "23514"),
        new("status in another case", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","status":"SUCCESS","source":"inventory","destination":"warehouse"}""", "23514"),
        new("end before start", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","end_date":"2019-06-20T22:18:45+00:00","status":"success","source":"inventory","destination":"warehouse"}""", "23514"),
        new("records_processed negative", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","status":"success","records_processed":-1,"source":"inventory","destination":"warehouse"}""", "23514"),
        new("records_processed not a number", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","status":"success","records_processed":"abc","source":"inventory","destination":"warehouse"}""", "22P02"),
        new("records_processed fractional", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","status":"success","records_processed":1.5,"source":"inventory","destination":"warehouse"}""", "22P02"),
        new("start_date not a timestamp", """{"name":"nightly_load","start_date":"not a date","status":"in_progress","source":"inventory","destination":"warehouse"}""", "22007"),
        new("end_date not a timestamp", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","end_date":"yesterday evening","status":"success","source":"inventory","destination":"warehouse"}""", "22007"),
        new("cursor with NUL", """{"name":"nightly_load","start_date":"2019-06-20T22:18:46+00:00","status":"success","source":"inventory","destination":"warehouse","cursor":"a\u0000b"}""", "22P05"),
    ];
}
