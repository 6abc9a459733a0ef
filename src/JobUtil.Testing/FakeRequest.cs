namespace JobUtil.Testing;

/// <summary>One request the fake received, as it arrived, with the status it was answered with.</summary>
/// <param name="Method">The HTTP method, such as <c>GET</c> or <c>PATCH</c>.</param>
/// <param name="Path">The path, such as <c>/jobs</c>.</param>
/// <param name="Query">The raw (still percent-encoded) query string without the leading <c>?</c>; empty when there is none.</param>
/// <param name="Headers">The request headers; names compare case-insensitively, several values are joined with <c>", "</c>.</param>
/// <param name="Body">The body as UTF-8 text; <see langword="null"/> when there was none.</param>
/// <param name="Status">The status the fake answered with (0 when the connection was dropped on purpose).</param>
public sealed record FakeRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string? Body,
    int Status)
{
    /// <summary>The value of header <paramref name="name"/>, or <see langword="null"/> when it was not sent.</summary>
    /// <param name="name">The header name (any case).</param>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The decoded query parameters in the order they were sent (a name may repeat).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> QueryParameters => Internal.QueryString.Parse(Query);
}
