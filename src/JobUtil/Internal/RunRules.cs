using System.Globalization;

namespace JobUtil.Internal;

/// <summary>
/// The one set of rules for a run's outcome, applied by <see cref="JobRun"/>; every host (RunAsync, <c>jobutil run</c>,
/// Quartz) reaches them through the run handle.
/// </summary>
internal static class RunRules
{
    /// <summary>The longest message recorded for a failure the library or the command describes itself.</summary>
    public const int MaxMessageLength = 4000;

    /// <summary>The <c>records_processed</c> column is an INTEGER with a CHECK that it is not negative.</summary>
    public const long MaxRecordsProcessed = int.MaxValue;

    public static readonly string RecordsRange =
        $"The number of records processed must be from 0 to {MaxRecordsProcessed.ToString(CultureInfo.InvariantCulture)} (the records_processed column is an INTEGER).";

    public static bool IsValidRecordsProcessed(long count) => count is >= 0 and <= MaxRecordsProcessed;

    /// <summary>An unsigned count as a <see cref="long"/>: one beyond <see cref="long.MaxValue"/> is out of range either way.</summary>
    public static long Count(ulong count) => count > long.MaxValue ? long.MaxValue : (long)count;

    /// <summary>Cuts a message to <see cref="MaxMessageLength"/> characters, the last one an ellipsis.</summary>
    public static string BoundMessage(string message)
        => message.Length <= MaxMessageLength ? message : message.Substring(0, MaxMessageLength - 1) + "…";

    /// <summary>The character that stands for each NUL of a message: PostgreSQL's <c>text</c> cannot store NUL (22P05).</summary>
    public const char NulReplacement = '\uFFFD';

    /// <summary>
    /// A message as the <c>message</c> column stores it: each NUL (U+0000) and each lone UTF-16 surrogate replaced with
    /// U+FFFD (PostgreSQL's <c>text</c> cannot hold NUL, and JSON sends a lone surrogate as U+FFFD), so the message sent
    /// is the message read back. Every message recorded goes through here (ResultAsync, the run handle, RunAsync's
    /// error, recovery, the command).
    /// </summary>
    public static string StorableMessage(string message)
    {
        char[]? copy = null;
        for (var i = 0; i < message.Length; i++)
        {
            var c = message[i];
            if (char.IsHighSurrogate(c) && i + 1 < message.Length && char.IsLowSurrogate(message[i + 1]))
            {
                i++;
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                copy ??= message.ToCharArray();
                copy[i] = NulReplacement;
            }
        }

        return copy is null ? message : new string(copy);
    }

    /// <summary>The longest cursor a run records, in bytes of UTF-8: a position in a source, not a payload.</summary>
    public const int MaxCursorBytes = 4096;

    // Counts the bytes a cursor takes in UTF-8, and refuses a lone surrogate rather than replacing it.
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// A cursor as the <c>cursor</c> column stores it: NUL handled as in a message (<see cref="StorableMessage"/>), then
    /// checked before anything is sent. It must not be empty (null stores none; the command cannot tell an empty cursor
    /// from none), must be valid UTF-16 (a lone surrogate cannot be sent as JSON text), and must fit
    /// <see cref="MaxCursorBytes"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The cursor is empty, not valid Unicode, or too long.</exception>
    public static string StorableCursor(string cursor, string paramName)
    {
        if (cursor.Length == 0)
        {
            throw new ArgumentException("A cursor must not be empty; pass null to record none.", paramName);
        }

        var storable = StorableMessage(cursor);
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(storable);
        }
        catch (System.Text.EncoderFallbackException e)
        {
            throw new ArgumentException($"A cursor must be valid Unicode text: it holds a lone surrogate (U+{(int)e.CharUnknown:X4}) at index {e.Index.ToString(CultureInfo.InvariantCulture)}.", paramName, e);
        }

        return bytes <= MaxCursorBytes
            ? storable
            : throw new ArgumentException($"A cursor must be at most {MaxCursorBytes.ToString(CultureInfo.InvariantCulture)} bytes of UTF-8; this one is {bytes.ToString(CultureInfo.InvariantCulture)}. Store a position (a timestamp, an id, a token), not data.", paramName);
    }

    /// <summary>
    /// The message of <paramref name="exception"/>, or a sentence saying it could not be read: a faulty
    /// <see cref="Exception.Message"/> getter must not replace the failure being reported.
    /// </summary>
    public static string MessageOf(Exception exception)
    {
        try
        {
            return exception.Message ?? string.Empty;
        }
        catch (Exception)
        {
            return "(the exception's message could not be read)";
        }
    }

    /// <summary>What RunAsync records for a failed body: the exception's type and message.</summary>
    public static string Describe(Exception exception) => $"{exception.GetType().FullName}: {MessageOf(exception)}";

    /// <summary>What is recorded for a run its host cancelled.</summary>
    public const string CancelledMessage = "The run was cancelled.";

    /// <summary>
    /// The message recorded for a run whose work failed with <paramref name="failure"/>: <see cref="CancelledMessage"/>
    /// when it is the host's own cancellation, else the exception's type and message, bounded.
    /// </summary>
    public static string FailureMessage(Exception failure, bool cancelled)
        => cancelled && failure is OperationCanceledException ? CancelledMessage : BoundMessage(Describe(failure));

    /// <summary>The exception for a record count the column cannot hold, as a run's error message and what the host throws.</summary>
    public static InvalidOperationException CountOutOfRange(string jobName, long runId, long count)
        => new($"Run {runId.ToString(CultureInfo.InvariantCulture)} of job '{jobName}' reported {count.ToString(CultureInfo.InvariantCulture)} records processed. {RecordsRange}");

    /// <summary>
    /// The watermark a run hands its work: <paramref name="watermark"/> minus <paramref name="lookback"/>
    /// (<see cref="JobOptions.WatermarkLookback"/>), never before <see cref="DateTimeOffset.MinValue"/>; null stays null.
    /// </summary>
    public static DateTimeOffset? Since(DateTimeOffset? watermark, TimeSpan lookback)
        => watermark is not { } value ? null
            : value - DateTimeOffset.MinValue < lookback ? DateTimeOffset.MinValue
            : value - lookback;

    /// <summary>
    /// The end date to record: the table requires <c>end_date &gt;= start_date</c>, and the run may have been started
    /// on a host whose clock is ahead, or this clock may have stepped back.
    /// </summary>
    public static DateTimeOffset EndDate(DateTimeOffset startDate, DateTimeOffset now) => now < startDate ? startDate : now;

    /// <summary>Now on <paramref name="time"/>, truncated to microseconds: what PostgreSQL stores, so a lookup by it matches.</summary>
    public static DateTimeOffset Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
    }

    /// <summary>
    /// The token that bounds recording an outcome when the caller's token cannot be used (it may be the reason the run
    /// failed): <see cref="JobOptions.OutcomeTimeout"/> on the job's clock.
    /// </summary>
    public static CancellationTokenSource OutcomeTimeout(JobOptions options, TimeProvider time)
    {
        if (options.OutcomeTimeout == Timeout.InfiniteTimeSpan)
        {
            return new CancellationTokenSource();
        }

#if NET
        return new CancellationTokenSource(options.OutcomeTimeout, time);
#else
        return time.CreateCancellationTokenSource(options.OutcomeTimeout);
#endif
    }

    /// <summary>The exception for an outcome that could not be recorded within <see cref="JobOptions.OutcomeTimeout"/>.</summary>
    public static JobsApiException OutcomeTimedOut(long runId, JobOptions options, Exception cause)
        => new(0, $"Recording the error of run {runId.ToString(CultureInfo.InvariantCulture)} timed out after {options.OutcomeTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s (JobOptions.OutcomeTimeout).", null, cause) { IsTransient = true };
}
