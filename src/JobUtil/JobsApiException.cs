namespace JobUtil;

/// <summary>
/// A failure that came from the Jobs API or the network: an error answer, no answer, a timeout, or an answer
/// that was not what PostgREST sends.
/// </summary>
/// <remarks>
/// <see cref="Status"/> is the HTTP status (0 when no response arrived); <see cref="ErrorCode"/> is PostgREST's
/// <c>code</c> (a PostgreSQL SQLSTATE such as <c>23502</c>, or a <c>PGRST</c> code). The message is readable on
/// its own and never contains the token.
/// </remarks>
public class JobsApiException : Exception
{
    /// <summary>Creates an exception with a message and no response.</summary>
    /// <param name="message">What went wrong.</param>
    public JobsApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message, no response, and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public JobsApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a response.</summary>
    /// <param name="status">The HTTP status, or 0 when there was no response.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="errorCode">PostgREST's <c>code</c>, if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public JobsApiException(int status, string message, string? errorCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status of the response; 0 when no response arrived (network failure or timeout).</summary>
    public int Status { get; }

    /// <summary>PostgREST's <c>code</c>: a PostgreSQL SQLSTATE (<c>23502</c>, <c>42501</c>, …) or a <c>PGRST</c> code.</summary>
    public string? ErrorCode { get; }

    /// <summary>The <c>message</c> of PostgREST's error body, if it had one.</summary>
    public string? ServerMessage { get; init; }

    /// <summary>The <c>details</c> of PostgREST's error body, if it had any.</summary>
    public string? Details { get; init; }

    /// <summary>The <c>hint</c> of PostgREST's error body, if it had one.</summary>
    public string? Hint { get; init; }

    /// <summary>The start of a response body that was not PostgREST JSON (an HTML page from a proxy, say).</summary>
    public string? ResponseExcerpt { get; init; }

    /// <summary>How many attempts were made before giving up; 1 when the failure was not retried.</summary>
    public int Attempts { get; internal set; } = 1;

    /// <summary>Whether the failure is transient (no response, 408, 429, 500, 502, 503, 504, or a CDN's 520 to 524), so a later try may succeed.</summary>
    public bool IsTransient { get; init; }

    /// <summary>The server's <c>Retry-After</c>, if it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether the answer was PostgREST's own JSON error body, which proves that nothing was written.</summary>
    internal bool FromPostgrest { get; init; }

    /// <inheritdoc />
    public override string Message => Attempts > 1
        ? $"{base.Message} Gave up after {Attempts} attempts."
        : base.Message;
}

/// <summary>
/// The run to update does not exist on the server (a PATCH matched no row: 200 with <c>[]</c>, or 404 from older
/// PostgREST versions). It may have been deleted, or the id belongs to another table.
/// </summary>
public class JobRunNotFoundException : JobsApiException
{
    /// <summary>Creates the exception for a run id.</summary>
    /// <param name="runId">The id of the run that was not found.</param>
    /// <param name="status">The HTTP status of the response.</param>
    /// <param name="message">What went wrong.</param>
    public JobRunNotFoundException(long runId, int status, string message)
        : base(status, message)
    {
        RunId = runId;
    }

    /// <summary>The id of the run that was not found.</summary>
    public long RunId { get; }
}

/// <summary>
/// The server refused to start a run because another run of the same job is still in progress (409, SQLSTATE
/// <c>23505</c>, raised by the optional overlap guard of <c>db/schema.sql</c>).
/// </summary>
public class JobAlreadyRunningException : JobsApiException
{
    /// <summary>Creates the exception for a job name.</summary>
    /// <param name="jobName">The job that is already running.</param>
    /// <param name="message">What went wrong.</param>
    public JobAlreadyRunningException(string jobName, string message)
        : base(409, message, "23505")
    {
        JobName = jobName;
    }

    /// <summary>The job that is already running.</summary>
    public string JobName { get; }
}

/// <summary>
/// The run has already ended with another outcome than the one asked for, so it was not changed: a final state is final.
/// Raised when a conditional update matched no run in progress and the run, read back, holds a different outcome, and
/// when the server's <c>jobs_final_state</c> trigger refused the change (400, SQLSTATE <c>23J01</c>).
/// </summary>
public class JobRunAlreadyEndedException : JobsApiException
{
    /// <summary>Creates the exception for a run as the server holds it.</summary>
    /// <param name="run">The run as stored, with the outcome it already has.</param>
    /// <param name="status">The HTTP status of the response that showed it.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="errorCode">PostgREST's <c>code</c>, if any (<c>23J01</c> when the trigger refused the change).</param>
    public JobRunAlreadyEndedException(JobRecord run, int status, string message, string? errorCode = null)
        : base(status, message, errorCode)
    {
        Run = run ?? throw new ArgumentNullException(nameof(run));
    }

    /// <summary>The run as the server holds it: its status, end date, record count and message.</summary>
    public JobRecord Run { get; }

    /// <summary>The run's id.</summary>
    public long RunId => Run.Id;
}
