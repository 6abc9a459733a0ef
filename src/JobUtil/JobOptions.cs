using System.Text;

namespace JobUtil;

/// <summary>
/// Settings for talking to a Jobs API: where it is, how to authenticate, which source and destination a job
/// reports, and how long to wait and retry.
/// </summary>
/// <remarks>
/// The defaults suit an ETL job run by a scheduler: a transient failure is retried four times with exponential
/// backoff and jitter, each attempt may take 30 seconds, and one operation gives up after two minutes.
/// <see cref="ToString"/> never shows <see cref="Token"/>.
/// </remarks>
public sealed class JobOptions
{
    /// <summary>The default configuration section, <c>JobUtil</c>.</summary>
    public const string DefaultSectionName = "JobUtil";

    /// <summary>
    /// The full URL of the jobs table, such as <c>https://host/legacy-scripts/jobs</c>. A trailing <c>/</c> is ignored.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>
    /// The JWT sent as <c>Authorization: Bearer</c>. Without one no <c>Authorization</c> header is sent and the
    /// server uses its anonymous role (usually read-only).
    /// </summary>
    public string? Token { get; set; }

    /// <summary>The name of the source the job reads, stored in each run's <c>source</c> column.</summary>
    public string? Source { get; set; }

    /// <summary>The name of the destination the job writes, stored in each run's <c>destination</c> column.</summary>
    public string? Destination { get; set; }

    /// <summary>
    /// Allows sending <see cref="Token"/> over plain <c>http</c> to a host other than loopback.
    /// Off by default: a bearer token sent in clear text can be read by anyone on the path.
    /// </summary>
    public bool AllowInsecureTransport { get; set; }

    /// <summary>How many times a failed attempt is retried; 0 turns retries off. Default 4 (5 attempts in all).</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The base of the exponential backoff between attempts (jitter is added). Default 1 second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts, also the cap on a server's <c>Retry-After</c>. Default 30 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt (one HTTP request and its response) may take. Default 30 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one operation may take in all, retries and waits included; <see cref="Timeout.InfiniteTimeSpan"/>
    /// for no limit. Default 2 minutes.
    /// </summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long <see cref="Job.RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>
    /// may spend recording the error of a run whose body failed or was cancelled (the caller's token may already be
    /// cancelled then, so it is not used). Default 15 seconds. Recording success is bounded by <see cref="TotalTimeout"/>.
    /// </summary>
    public TimeSpan OutcomeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often a running run records that it is alive, in its <c>heartbeat_at</c> column; <see langword="null"/>
    /// (the default) for no heartbeats. When set, a run started by <see cref="Job.StartRunAsync"/>,
    /// <see cref="Job.StartAsync"/> or <see cref="Job.RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/>
    /// also records its <c>host</c> (<see cref="Environment.MachineName"/>), and then updates <c>heartbeat_at</c> at
    /// this interval, on the job's clock, until its outcome is recorded or its handle is disposed. A heartbeat that fails
    /// is logged (<c>HeartbeatFailed</c>) and tried again at the next interval; it never fails the run. Needs the
    /// <c>heartbeat_at</c> and <c>host</c> columns of <c>db/schema.sql</c>. From 10 ms to 1 day.
    /// </summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>
    /// When set, every start of a run first ends this job's stale runs, as
    /// <see cref="Job.RecoverStaleRunsAsync"/> does with this threshold: runs in progress whose heartbeat, or whose start
    /// when they have none, is older than this. <see langword="null"/> (the default) recovers nothing. Make it several
    /// times <see cref="HeartbeatInterval"/> (it must be at least twice as long), and longer than any run that sends no
    /// heartbeat can take. From 1 second to 365 days.
    /// </summary>
    public TimeSpan? RecoverStaleRunsOlderThan { get; set; }

    /// <summary>
    /// A safety margin taken off the watermark that
    /// <see cref="Job.RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long}}, CancellationToken)"/> hands its body,
    /// against clock skew between the ETL host (whose clock dates runs) and the source database (whose clock dates
    /// records): the body then extracts records modified at or after the watermark minus this margin, so a few are read
    /// twice rather than skipped. <see cref="Job.MostRecentAsync"/> itself is not changed. Default zero; from 0 to 365 days.
    /// </summary>
    public TimeSpan WatermarkLookback { get; set; }

    /// <summary>
    /// Whether starts send a run key: a fresh, time-ordered <c>uuid</c> in the <c>run_key</c> column of
    /// <c>db/schema.sql</c>, by which a start whose response was lost finds its own row and only that row, whatever the
    /// precision of <c>start_date</c> and however many starts of the job run at once.
    /// <see cref="RunKeyMode.Auto"/> (the default) sends one, and when the table answers that it has no such column,
    /// remembers that for this <see cref="Job"/> (one extra request) and starts without; <see cref="RunKeyMode.On"/>
    /// requires the column (a table without it fails every start with an error that names it and db/schema.sql);
    /// <see cref="RunKeyMode.Off"/> never sends one. Without a key, a lost start is adopted only when exactly one run has
    /// exactly the start date it sent, and otherwise fails (see the README, "Exactly-once starts").
    /// </summary>
    public RunKeyMode RunKey { get; set; }

    /// <summary>
    /// Checks these options by the rules <see cref="Job"/>'s constructor and start-up validation apply, before anything
    /// is sent. Useful to a tool that takes settings from its own command line and wants to name its own flags.
    /// </summary>
    /// <param name="requireSourceAndDestination">Whether <see cref="Source"/> and <see cref="Destination"/> must be set (a <see cref="Job"/> needs them).</param>
    /// <returns>Each problem as the option's name (such as <c>Url</c>) and a sentence saying what is wrong; empty when the options are valid.</returns>
    public IReadOnlyList<KeyValuePair<string, string>> Validate(bool requireSourceAndDestination = true)
        => Internal.OptionsValidation.Validate(this, requireSourceAndDestination);

    /// <summary>A copy of these options.</summary>
    public JobOptions Clone() => (JobOptions)MemberwiseClone();

    /// <summary>Describes the options without the token (only whether one is set).</summary>
    public override string ToString()
    {
        var text = new StringBuilder("JobOptions { ");
        text.Append("Url = ").Append(Url ?? "(none)")
            .Append(", Token = ").Append(string.IsNullOrEmpty(Token) ? "(none)" : "(set)")
            .Append(", Source = ").Append(Source ?? "(none)")
            .Append(", Destination = ").Append(Destination ?? "(none)")
            .Append(", AllowInsecureTransport = ").Append(AllowInsecureTransport)
            .Append(", MaxRetryAttempts = ").Append(MaxRetryAttempts)
            .Append(", RetryBaseDelay = ").Append(RetryBaseDelay)
            .Append(", MaxRetryDelay = ").Append(MaxRetryDelay)
            .Append(", AttemptTimeout = ").Append(AttemptTimeout)
            .Append(", TotalTimeout = ").Append(TotalTimeout)
            .Append(", OutcomeTimeout = ").Append(OutcomeTimeout)
            .Append(", HeartbeatInterval = ").Append(HeartbeatInterval?.ToString() ?? "(none)")
            .Append(", RecoverStaleRunsOlderThan = ").Append(RecoverStaleRunsOlderThan?.ToString() ?? "(none)")
            .Append(", WatermarkLookback = ").Append(WatermarkLookback)
            .Append(", RunKey = ").Append(RunKey)
            .Append(" }");
        return text.ToString();
    }
}
