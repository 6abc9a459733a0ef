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

    /// <summary>
    /// When <see langword="true"/> (the default), the table has the <c>heartbeat_at</c> and <c>host</c> columns that
    /// <c>db/schema.sql</c> adds. When <see langword="false"/>, it has only the nine columns of the original table, and a
    /// request naming either is refused as PostgREST refuses an unknown column: <c>PGRST204</c> (400) in a body
    /// (<c>42703</c> before v10.1), <c>42703</c> (400) in a filter, <c>order</c> or <c>select</c>.
    /// </summary>
    public bool HeartbeatColumns { get; init; } = true;

    /// <summary>
    /// When <see langword="true"/> (the default), the table has the <c>cursor</c> column that <c>db/schema.sql</c> adds
    /// (after <c>heartbeat_at</c> and <c>host</c>), and the <c>jobs_fleet</c> view its <c>last_cursor</c>. When
    /// <see langword="false"/>, a request naming it is refused as PostgREST refuses an unknown column (see
    /// <see cref="HeartbeatColumns"/>). Set it, <see cref="HeartbeatColumns"/> and <see cref="RunKeyColumn"/> to <see langword="false"/> for the nine columns of the original table.
    /// </summary>
    public bool CursorColumn { get; init; } = true;

    /// <summary>
    /// When <see langword="true"/> (the default), the table has the <c>run_key uuid</c> column that <c>db/schema.sql</c>
    /// adds, with its unique index: a second row with a key already present is refused with 409 <c>23505</c>, as
    /// PostgreSQL refuses it (rows may have no key, and any number of them may be NULL). When <see langword="false"/>, a
    /// request naming it is refused as PostgREST refuses an unknown column, like <see cref="HeartbeatColumns"/>. Set it,
    /// <see cref="CursorColumn"/> and <see cref="HeartbeatColumns"/> to <see langword="false"/> for the nine columns of the original table.
    /// </summary>
    public bool RunKeyColumn { get; init; } = true;

    /// <summary>
    /// When <see langword="true"/> (the default), a finished run (status other than <c>in_progress</c>) cannot change, as the
    /// <c>jobs_final_state</c> trigger of <c>db/schema.sql</c> enforces: an update that would change any of its columns is
    /// refused with 400, code <c>23J01</c>, and nothing is written; an update that sets the values it already holds is
    /// allowed. When <see langword="false"/>, the fake behaves like a table without the trigger (the original table).
    /// </summary>
    public bool EnforceFinalStates { get; init; } = true;

    /// <summary>
    /// The fractional digits that the <c>start_date</c> column keeps: 6 (the default, <c>timestamptz</c>), or fewer, as a
    /// <c>timestamptz(3)</c> (milliseconds) or <c>timestamptz(0)</c> (seconds) column keeps. A value is rounded when it is
    /// stored, half away from 2000-01-01 as PostgreSQL rounds; a filter's value is not, so <c>start_date=eq.</c> with the
    /// microseconds that were sent no longer finds the row.
    /// </summary>
    public int StartDatePrecision { get; init; } = 6;

    /// <summary>
    /// When <see langword="true"/>, the timestamp columns are <c>timestamp</c> (without time zone) instead of
    /// <c>timestamptz</c>: an offset in a written value or a filter is ignored and its wall time kept, and values are
    /// rendered without an offset (<c>2024-06-01T12:00:00</c>). A value written in UTC comes back as its UTC wall time.
    /// <see cref="FakeJobRow"/> timestamps then hold the wall time with offset zero. Off by default.
    /// </summary>
    public bool TimestampsWithoutTimeZone { get; init; }

    /// <summary>
    /// When <see langword="true"/>, a PATCH answers only the updated rows that still meet its <c>or=</c>/<c>and=</c>
    /// trees with their new values, as PostgREST v12 does (later versions fixed it): a conditional update whose tree no
    /// longer holds after the update answers <c>[]</c> although it changed the row. Off by default.
    /// </summary>
    public bool ReapplyLogicalFiltersAfterPatch { get; init; }

    /// <summary>
    /// The longest request target (path and query) answered; a longer one is refused with 414 and an HTML page, as a
    /// proxy in front of PostgREST refuses it (nginx's default limit is 8 KB), and nothing is handled. No limit when
    /// <see langword="null"/> (the default).
    /// </summary>
    public int? MaxUrlLength { get; init; }
}
