using System.Text.Json.Serialization;

namespace JobUtil;

/// <summary>
/// One row of the <c>jobs</c> table: one run of an ETL job.
/// </summary>
/// <param name="Id">The row's id, assigned by the server.</param>
/// <param name="Name">The ETL job's name.</param>
/// <param name="StartDate">When the run started (chosen by the client that started it).</param>
/// <param name="EndDate">When the run ended; <see langword="null"/> while it is in progress.</param>
/// <param name="Message">An optional message, such as the error that ended the run.</param>
/// <param name="Status">The run's status.</param>
/// <param name="RecordsProcessed">How many records the run processed, when recorded.</param>
/// <param name="Source">The name of the source the job reads.</param>
/// <param name="Destination">The name of the destination the job writes.</param>
/// <remarks>Fields of the JSON row that are not among these nine columns (and <see cref="Cursor"/>) are ignored.</remarks>
public sealed record JobRecord(
    long Id,
    string Name,
    DateTimeOffset StartDate,
    DateTimeOffset? EndDate,
    string? Message,
    JobStatus Status,
    long? RecordsProcessed,
    string Source,
    string Destination)
{
    /// <summary>
    /// Where the run got to in its source, recorded with its success (see <see cref="JobCursor"/>); <see langword="null"/>
    /// when it stored none, or the table has no <c>cursor</c> column.
    /// </summary>
    public string? Cursor { get; init; }

    /// <summary>How long the run took, when it has ended.</summary>
    [JsonIgnore]
    public TimeSpan? Duration => EndDate - StartDate;
}
