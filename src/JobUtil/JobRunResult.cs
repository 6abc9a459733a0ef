namespace JobUtil;

/// <summary>
/// What the body of a cursor run returns (<see cref="Job.RunAsync(Func{string?, CancellationToken, Task{JobRunResult}}, CancellationToken)"/>):
/// how many records it processed and the position it reached in its source, recorded together with the run's success.
/// </summary>
/// <param name="RecordsProcessed">How many records the run processed; none recorded when null.</param>
/// <param name="Cursor">
/// Where the run got to (see <see cref="JobCursor"/>), handed to the next run; when null no cursor is recorded, and the
/// next run gets the last one stored. At most <see cref="JobCursor.MaxLength"/> bytes of UTF-8, and not empty.
/// </param>
public sealed record JobRunResult(long? RecordsProcessed, string? Cursor);
