using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace JobUtil.Internal;

/// <summary>Turns an error response of any PostgREST era into a <see cref="JobsApiException"/> with a message readable on its own.</summary>
internal static class ResponseErrors
{
    private const int ExcerptLength = 200;

    private static readonly Regex ErrorDescription = new("error_description=\"(?<d>[^\"]*)\"", RegexOptions.CultureInvariant);

    /// <summary>Statuses worth another try; 520 to 524 are a CDN's answers when the origin failed or was slow.</summary>
    public static bool IsTransient(int status) => status is 408 or 429 or 500 or 502 or 503 or 504 or (>= 520 and <= 524);

    /// <summary>
    /// Whether a write answered with <paramref name="error"/> may have been committed. Only PostgREST's own JSON error body
    /// proves that nothing was written; an HTML or empty 5xx, or a CDN's 52x, can come after the database committed.
    /// A 502, 503 or 504 counts as unknown whatever its body (a gateway may pass an answer on after a commit): checking
    /// costs one lookup, a wrong guess a duplicate.
    /// </summary>
    public static bool OutcomeUnknown(JobsApiException error)
        => error.Status is 0 or 502 or 503 or 504 || (error.Status >= 500 && !error.FromPostgrest);

    public static async Task<JobsApiException> FromResponseAsync(
        HttpResponseMessage response, string operation, bool tokenSent, TimeProvider time, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = response.Content is null ? string.Empty : await ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var error = ParseErrorBody(body);

        var text = new StringBuilder(operation).Append(" failed: ");
        if (status is >= 300 and < 400)
        {
            return Redirect(response, text, body);
        }

        switch (status)
        {
            case 401 when tokenSent:
                text.Append("the Jobs API rejected the token");
                break;
            case 401:
                text.Append("the Jobs API requires a token (no token is configured, and anonymous access was refused)");
                break;
            case 403:
                text.Append("the token's role is not allowed to do this");
                break;
            default:
                if (IsTransient(status))
                {
                    text.Append("the Jobs API is unavailable or overloaded");
                }
                else
                {
                    text.Append("the Jobs API refused the request");
                }

                break;
        }

        text.Append(" (").Append(status).Append(' ').Append(Reason(response)).Append(')');

        var description = status == 401 ? WwwAuthenticateDescription(response.Headers.WwwAuthenticate) : null;
        var serverMessage = error?.Message;
        if (serverMessage is not null)
        {
            text.Append(": ").Append(serverMessage);
        }
        else if (description is not null)
        {
            text.Append(": ").Append(description);
        }

        if (description is not null && serverMessage is not null && !serverMessage.Contains(description))
        {
            text.Append(" (").Append(description).Append(')');
        }

        if (error?.Code is { } code)
        {
            text.Append(" [code ").Append(code).Append(']');
        }

        if (error?.Details is { } details)
        {
            text.Append(". Details: ").Append(details);
        }

        if (error?.Hint is { } hint)
        {
            text.Append(". Hint: ").Append(hint);
        }

        string? excerpt = null;
        if (error is null && body.Length > 0)
        {
            excerpt = Excerpt(body);
            text.Append(". Response body: ").Append(excerpt);
        }

        // Server messages and details often end with their own full stop.
        if (text[text.Length - 1] != '.')
        {
            text.Append('.');
        }

        return new JobsApiException(status, text.ToString(), error?.Code)
        {
            ServerMessage = serverMessage ?? description,
            Details = error?.Details,
            Hint = error?.Hint,
            ResponseExcerpt = excerpt,
            IsTransient = IsTransient(status),
            RetryAfter = RetryAfter(response.Headers.RetryAfter, time),
            FromPostgrest = error is not null,
        };
    }

    /// <summary>
    /// A redirect: PostgREST never sends one, so something in front of it (a proxy, a load balancer moving http to https,
    /// a trailing-slash rule) points elsewhere. Following it would turn a POST or PATCH into a GET and drop the token:
    /// the URL is wrong, and retrying cannot help.
    /// </summary>
    private static JobsApiException Redirect(HttpResponseMessage response, StringBuilder text, string body)
    {
        var status = (int)response.StatusCode;
        var location = response.Headers.Location;
        if (location is { IsAbsoluteUri: false } && response.RequestMessage?.RequestUri is { } requested)
        {
            location = new Uri(requested, location);
        }

        text.Append("the server answered ").Append(status).Append(' ').Append(Reason(response))
            .Append(location is null ? " without a Location" : ", redirecting to " + location.GetLeftPart(UriPartial.Path))
            .Append(". PostgREST never redirects: something in front of it points elsewhere. JobUtil does not follow redirects, ")
            .Append("because the request would arrive as a GET or without its token. Fix the URL (JobOptions.Url)")
            .Append(location is null ? "." : " to the address the server points to.");
        return new JobsApiException(status, text.ToString())
        {
            ResponseExcerpt = body.Length == 0 ? null : Excerpt(body),
        };
    }

    /// <summary>
    /// An answer that arrived after the caller's <see cref="HttpClient"/> followed a redirect to <paramref name="sent"/>: it
    /// answers another request, so it is refused whatever its status. Not transient: the URL, or the client, must change.
    /// </summary>
    public static async Task<JobsApiException> FollowedRedirectAsync(HttpResponseMessage response, HttpRequestMessage sent, string operation, CancellationToken cancellationToken)
    {
        var body = response.Content is null ? string.Empty : await ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        return new JobsApiException(
            status,
            $"{operation} failed: the request was redirected to {sent.RequestUri?.GetLeftPart(UriPartial.Path)} as a {sent.Method}, and the HttpClient followed it; "
            + $"its answer ({status} {Reason(response)}) comes from there and is refused. PostgREST never redirects: something in front of it points elsewhere. "
            + "Fix the URL (JobOptions.Url), or use a client that does not follow redirects (AllowAutoRedirect = false on its handler).")
        {
            ResponseExcerpt = body.Length == 0 ? null : Excerpt(body),
        };
    }

    /// <summary>A 2xx whose body is not what PostgREST sends.</summary>
    public static async Task<JobsApiException> UnexpectedBodyAsync(
        HttpResponseMessage response, string operation, string expected, Exception? cause, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var excerpt = body.Length == 0 ? "(empty)" : Excerpt(body);
        var status = (int)response.StatusCode;
        return new JobsApiException(
            status,
            $"{operation} failed: the response ({status} {Reason(response)}, {response.Content.Headers.ContentType?.MediaType ?? "no content type"}) was not {expected}. Response body: {excerpt}.",
            errorCode: null,
            cause)
        {
            ResponseExcerpt = excerpt,
        };
    }

    public static string Excerpt(string body)
    {
        var collapsed = Regex.Replace(body.Trim(), @"\s+", " ");
        return collapsed.Length <= ExcerptLength ? collapsed : collapsed.Substring(0, ExcerptLength) + "…";
    }

    private static async Task<string> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
#if NET
            bytes = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
#else
            cancellationToken.ThrowIfCancellationRequested();
            bytes = await content.ReadAsByteArrayAsync().ConfigureAwait(false);
#endif
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException)
        {
            return string.Empty;
        }

        // Decoded as UTF-8 whatever the declared charset: this text is only shown, and an unknown charset must not
        // hide the body.
        return Encoding.UTF8.GetString(bytes);
    }

    private static PostgrestError? ParseErrorBody(string body)
    {
        if (body.Length == 0 || body.TrimStart() is not ['{', ..])
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var error = new PostgrestError(
                Text(document.RootElement, "code"),
                Text(document.RootElement, "message"),
                Text(document.RootElement, "details"),
                Text(document.RootElement, "hint"));
            return error.Code is null && error.Message is null ? null : error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            _ => value.GetRawText(),
        };
    }

    private static string Reason(HttpResponseMessage response)
        => string.IsNullOrEmpty(response.ReasonPhrase) ? ((HttpStatusCode)(int)response.StatusCode).ToString() : response.ReasonPhrase!;

    private static string? WwwAuthenticateDescription(HttpHeaderValueCollection<AuthenticationHeaderValue> values)
    {
        foreach (var value in values)
        {
            if (value.Parameter is { } parameter && ErrorDescription.Match(parameter) is { Success: true } match)
            {
                return match.Groups["d"].Value;
            }
        }

        return null;
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, TimeProvider time)
    {
        // A date at or before our clock's now (a server clock behind ours) is no hint: the usual backoff applies, never
        // a zero delay on every attempt. So is a zero or negative delta.
        var wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        return wait > TimeSpan.Zero ? wait : null;
    }

    private sealed record PostgrestError(string? Code, string? Message, string? Details, string? Hint);
}
