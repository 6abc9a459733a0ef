using System.ComponentModel;
using System.Text.Json.Serialization;
using JobUtil.Internal;

namespace JobUtil;

/// <summary>
/// The status of a job run, as stored in the <c>status</c> column.
/// </summary>
/// <remarks>
/// An extensible value rather than an <see langword="enum"/>: a row whose status this client does not know
/// (written by a newer client or by hand) still parses, keeps its text, and compares unequal to the known values.
/// </remarks>
[JsonConverter(typeof(JobStatusJsonConverter))]
public readonly struct JobStatus : IEquatable<JobStatus>
{
    private readonly string? _value;

    /// <summary>Creates a status from its wire value, such as <c>success</c>.</summary>
    /// <param name="value">The value stored in the <c>status</c> column.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty or white space.</exception>
    public JobStatus(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("A job status must be a non-empty string.", nameof(value));
        }

        _value = value;
    }

    /// <summary>The run has started and has not recorded an outcome yet (<c>in_progress</c>).</summary>
    public static JobStatus InProgress { get; } = new("in_progress");

    /// <summary>The run ended successfully (<c>success</c>). Its start is the next run's watermark.</summary>
    public static JobStatus Success { get; } = new("success");

    /// <summary>The run ended with an error (<c>error</c>).</summary>
    public static JobStatus Error { get; } = new("error");

    /// <summary>The wire value, such as <c>in_progress</c>; empty for <see langword="default"/>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether two statuses have the same wire value (ordinal comparison).</summary>
    /// <param name="left">The first status.</param>
    /// <param name="right">The second status.</param>
    public static bool operator ==(JobStatus left, JobStatus right) => left.Equals(right);

    /// <summary>Whether two statuses have different wire values.</summary>
    /// <param name="left">The first status.</param>
    /// <param name="right">The second status.</param>
    public static bool operator !=(JobStatus left, JobStatus right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(JobStatus other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is JobStatus other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>Returns the wire value.</summary>
    public override string ToString() => Value;

    /// <summary>Whether this status ends a run (<see cref="Success"/> or <see cref="Error"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public bool IsFinal => Equals(Success) || Equals(Error);
}
