namespace JobUtil.Testing;

/// <summary>How a <see cref="FakeJobsApi"/> behaves.</summary>
public sealed class FakeJobsApiOptions
{
    /// <summary>
    /// The HS256 secret that enables JWT authentication. When <see langword="null"/> (the default) there is no auth:
    /// every request, with or without a token, may read and write.
    /// </summary>
    /// <remarks>
    /// With a secret, a request without a token runs as the anonymous role, which may only read; a token whose
    /// <c>role</c> claim is <see cref="WriterRole"/> may read and write; an expired or wrongly signed token is refused
    /// with 401. Mint tokens with <see cref="FakeJobsApi.CreateToken(string, DateTimeOffset?)"/>.
    /// </remarks>
    public string? JwtSecret { get; init; }

    /// <summary>The role a token must name to write (default <c>jobs_writer</c>).</summary>
    public string WriterRole { get; init; } = "jobs_writer";

    /// <summary>The anonymous role's name (default <c>web_anon</c>), used only in messages.</summary>
    public string AnonymousRole { get; init; } = "web_anon";

    /// <summary>When <see langword="false"/> and auth is enabled, a request without a token is refused (<c>PGRST302</c>).</summary>
    public bool AllowAnonymous { get; init; } = true;

    /// <summary>Which PostgREST versions to behave like (default <see cref="PostgrestEra.Modern"/>).</summary>
    public PostgrestEra Era { get; init; } = PostgrestEra.Modern;

    /// <summary>
    /// The database's time zone, in which timestamps are rendered (default UTC, rendered <c>+00:00</c>) and in which a
    /// timestamp sent without an offset is read.
    /// </summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>A path before the table, such as <c>/legacy-scripts</c>; empty by default.</summary>
    public string PathPrefix { get; init; } = string.Empty;

    /// <summary>The schema named in messages about unknown tables (default <c>api</c>).</summary>
    public string Schema { get; init; } = "api";

    /// <summary>
    /// When <see langword="true"/>, the table has a unique index on <c>name</c> among <c>in_progress</c> rows, so a
    /// second start of a running job is refused with 409 <c>23505</c>. Off by default, like the original table.
    /// </summary>
    public bool OneRunInProgressPerName { get; init; }

    /// <summary>
    /// Whether the <c>jobs_fleet</c> view of db/schema.sql is served (default <see langword="true"/>). False makes a
    /// server with only the original table (and <c>jobs_latest</c>): a GET of the view is 404, as PostgREST answers a
    /// relation it does not have.
    /// </summary>
    public bool ServeFleetView { get; init; } = true;

    /// <summary>The clock against which a JWT's <c>exp</c> is checked (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
