using System.Net;
using System.Text;

namespace JobUtil.Database.Tests;

/// <summary>
/// Loses the responses of some writes after the server committed them, as a network or a proxy in front of PostgREST
/// does: the request goes through, then either the connection "drops" (an <see cref="HttpRequestException"/>) or a
/// proxy's HTML 502 or 504 comes back instead of the answer. Which requests, in a seeded order.
/// </summary>
internal sealed class LostResponses(int seed, string method, double share) : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly object _gate = new();
    private readonly Random _random = new(seed);
    private int _lost;

    /// <summary>How many responses were lost.</summary>
    public int Lost => Volatile.Read(ref _lost);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method.Method != method || !response.IsSuccessStatusCode)
        {
            return response;
        }

        int fault;
        lock (_gate)
        {
            fault = _random.NextDouble() < share ? _random.Next(3) : -1;
        }

        if (fault < 0)
        {
            return response;
        }

        Interlocked.Increment(ref _lost);
        response.Dispose();
        return fault switch
        {
            0 => throw new HttpRequestException("The connection was reset after the request was sent (injected)."),
            1 => Page(HttpStatusCode.BadGateway, request),
            _ => Page(HttpStatusCode.GatewayTimeout, request),
        };
    }

    private static HttpResponseMessage Page(HttpStatusCode status, HttpRequestMessage request)
        => new(status)
        {
            RequestMessage = request,
            Content = new StringContent($"<html><body><h1>{(int)status} {status}</h1></body></html>", Encoding.UTF8, "text/html"),
        };
}
