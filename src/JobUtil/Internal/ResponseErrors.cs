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

    public static bool IsTransient(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>Statuses after which a POST may or may not have been committed.</summary>
    public static bool OutcomeUnknown(int status) => status is 502 or 503 or 504;

    public static async Task<JobsApiException> FromResponseAsync(
        HttpResponseMessage response, string operation, bool tokenSent, TimeProvider time, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = response.Content is null ? string.Empty : await ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var error = ParseErrorBody(body);

        var text = new StringBuilder(operation).Append(" failed: ");
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
