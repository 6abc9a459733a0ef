using System.Globalization;
using System.Text.Json;
using JobUtil.Testing.Internal;

namespace JobUtil.Testing;

// Faults that answer with something other than PostgREST's answer: redirects, and committed writes whose answer is not the row.
public sealed partial class FakeJobsApi
{
    private static readonly int[] RedirectStatuses = [301, 302, 303, 307, 308];

    /// <summary>
    /// The next <paramref name="count"/> requests (of <paramref name="method"/>, or of any method) are not handled: they are
    /// answered with the redirect <paramref name="status"/> and <c>Location: <paramref name="location"/></c>, as a proxy or
    /// load balancer in front of PostgREST answers (PostgREST itself never redirects). Nothing is written.
    /// </summary>
    /// <remarks>
    /// A client that follows redirects sends its next request to <paramref name="location"/>: <see cref="HttpClient"/> turns a
    /// POST or PATCH into a GET on 301, 302 and 303, and drops <c>Authorization</c> on any redirect. When the location is
    /// this fake's <see cref="Url"/> (with a query, say), that request is handled like any other.
    /// </remarks>
    /// <param name="count">How many requests are redirected.</param>
    /// <param name="status">301, 302, 303, 307 or 308.</param>
    /// <param name="location">The <c>Location</c> header: an absolute URL or a path.</param>
    /// <param name="method">Only requests of this method (such as <c>POST</c>); any method when null.</param>
    /// <returns>This instance.</returns>
    public FakeJobsApi RedirectNext(int count, int status, string location, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (Array.IndexOf(RedirectStatuses, status) < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A redirect status is 301, 302, 303, 307 or 308.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        var text = $"{status.ToString(CultureInfo.InvariantCulture)} {ReasonPhrase(status)}";
        _faults.Add(new Fault
        {
            Stage = FaultStage.BeforeHandling,
            Remaining = count,
            Method = method,
            Answer = _ => new Reply(status)
                .WithHeader("Location", location)
                .WithBody($"<html><head><title>{text}</title></head><body><h1>{text}</h1></body></html>", "text/html"),
        });
        return this;
    }

    /// <summary>
    /// The next <paramref name="count"/> successful writes (of <paramref name="method"/>, or of any write method) are committed,
    /// and then answered with <paramref name="status"/> and an empty body without a <c>Content-Type</c>: an empty 5xx or a
    /// CDN's 52x after the database committed, or a 2xx (such as 201) whose body was lost.
    /// </summary>
    /// <remarks>For an HTML error page after the commit, use <see cref="FailNextAfterCommit(int, int, string?)"/> (a 500, or a 520 to 527, gets one).</remarks>
    /// <param name="count">How many writes.</param>
    /// <param name="status">The status answered after the commit, between 100 and 599.</param>
    /// <param name="method">Only writes of this method (<c>POST</c>, <c>PATCH</c>, <c>DELETE</c>); any write when null.</param>
    /// <returns>This instance.</returns>
    public FakeJobsApi EmptyAnswerNextAfterCommit(int count, int status, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (status is < 100 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A status is between 100 and 599.");
        }

        _faults.Add(new Fault { Stage = FaultStage.AfterCommit, Remaining = count, Method = method, Answer = _ => new Reply(status) });
        return this;
    }

    /// <summary>
    /// The next <paramref name="count"/> successful writes (of <paramref name="method"/>, or of any write method) are committed,
    /// and then answered with the status they earned (201 for a POST, 200 for a PATCH) and a body that is a JSON object, the
    /// first written row (<c>{}</c> when none was returned), instead of the JSON array a client asked for.
    /// </summary>
    /// <param name="count">How many writes.</param>
    /// <param name="method">Only writes of this method (<c>POST</c>, <c>PATCH</c>, <c>DELETE</c>); any write when null.</param>
    /// <returns>This instance.</returns>
    public FakeJobsApi ObjectAnswerNextAfterCommit(int count, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _faults.Add(new Fault { Stage = FaultStage.AfterCommit, Remaining = count, Method = method, Answer = AsObject });
        return this;
    }

    private static Reply AsObject(Reply? earned)
    {
        var row = "{}";
        if (earned?.Body is { } body)
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0)
            {
                row = document.RootElement[0].GetRawText();
            }
        }

        return new Reply(earned?.Status ?? 200).WithBody(row, "application/json; charset=utf-8");
    }

    private static void CheckOptions(FakeJobsApiOptions options)
    {
        if (options.StartDatePrecision is < 0 or > 6)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StartDatePrecision, "FakeJobsApiOptions.StartDatePrecision is between 0 and 6 (fractional digits of start_date).");
        }
    }
}
