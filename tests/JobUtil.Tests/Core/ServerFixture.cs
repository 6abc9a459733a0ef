using System.Net;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace JobUtil.Tests.Core;

/// <summary>
/// One WireMock server per fixture, reset before every test, plus what the tests share: the table URL, the
/// requests the server received, and PostgREST-shaped answers.
/// </summary>
public abstract class ServerFixture
{
    protected const string TablePath = "/jobs";
    /// <summary>The start date of a canned row unless a test gives one.</summary>
    protected const string DefaultStart = "2024-03-01T02:00:00.123456+00:00";

    protected const string Token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRlc3QtdG9rZW4.Zm9v";

    private WireMockServer? _server;

    protected WireMockServer Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The jobs table's URL on the fake server.</summary>
    protected string TableUrl => Server.Url + TablePath;

    [OneTimeSetUp]
    public void StartServer() => _server = WireMockServer.Start();

    [SetUp]
    public void ResetServer() => Server.Reset();

    [OneTimeTearDown]
    public void StopServer() => _server?.Dispose();

    /// <summary>The requests the server received, in order.</summary>
    protected IReadOnlyList<IRequestMessage> Requests => Server.LogEntries.Select(e => e.RequestMessage).ToList();

    /// <summary>Options for a job against the fake server, with retries that wait no real time.</summary>
    protected JobOptions Options(string? token = null) => new()
    {
        Url = TableUrl,
        Source = "inventory_system",
        Destination = "data_warehouse",
        Token = token,
        RetryBaseDelay = TimeSpan.Zero,
    };

    /// <summary>Answers every request of <paramref name="method"/> with <paramref name="status"/> and a JSON body.</summary>
    protected void Answer(string method, int status, string body, params (string Name, string Value)[] headers)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(body);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        Server.Given(Request.Create().WithPath(TablePath).UsingMethod(method)).RespondWith(EchoingStartDate(method, status, body, response));
    }

    /// <summary>
    /// A POST's canned row with the default start date is given the start date the client sent, as PostgREST's answer
    /// would hold it: a start refuses a row that is not the one it wrote.
    /// </summary>
    private static WireMock.ResponseProviders.IResponseProvider EchoingStartDate(string method, int status, string body, IResponseBuilder response)
    {
        if (method != "POST" || status is < 200 or >= 300 || !body.Contains(DefaultStart))
        {
            return response;
        }

        return Response.Create().WithCallback(request =>
        {
            var sent = System.Text.Json.JsonDocument.Parse(request.Body ?? "{}").RootElement;
            var start = sent.ValueKind == System.Text.Json.JsonValueKind.Object && sent.TryGetProperty("start_date", out var value) ? value.GetString()! : DefaultStart;
            return Reply(status, body.Replace(DefaultStart, start));
        });
    }

    /// <summary>Answers successive requests of <paramref name="method"/> with the given statuses and bodies, the last one from then on.</summary>
    protected void AnswerInTurn(string method, params (int Status, string Body)[] answers)
    {
        for (var i = 0; i < answers.Length; i++)
        {
            var request = Request.Create().WithPath(TablePath).UsingMethod(method);
            var response = EchoingStartDate(method, answers[i].Status, answers[i].Body, Response.Create().WithStatusCode(answers[i].Status).WithHeader("Content-Type", "application/json").WithBody(answers[i].Body));
            var step = Server.Given(request).InScenario(method);
            if (i > 0)
            {
                step = step.WhenStateIs($"answer {i}");
            }

            if (i < answers.Length - 1)
            {
                step.WillSetStateTo($"answer {i + 1}").RespondWith(response);
            }
            else
            {
                step.RespondWith(response);
            }
        }
    }

    /// <summary>A response message for WireMock callbacks.</summary>
    protected static ResponseMessage Reply(int status, string body = "", string contentType = "application/json; charset=utf-8", params (string Name, string Value)[] headers)
    {
        var message = new ResponseMessage
        {
            StatusCode = status,
            Headers = new Dictionary<string, WireMockList<string>>(),
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String },
        };
        if (body.Length > 0)
        {
            message.AddHeader("Content-Type", contentType);
        }

        foreach (var (name, value) in headers)
        {
            message.AddHeader(name, value);
        }

        return message;
    }

    /// <summary>One row as PostgREST renders it.</summary>
    protected static string Row(long id, string name = "my_etl_job", string startDate = DefaultStart, string? endDate = null, string status = "in_progress", long? recordsProcessed = null, string? message = null)
        => $$"""{"id":{{id}},"name":{{Json(name)}},"start_date":"{{startDate}}","end_date":{{(endDate is null ? "null" : $"\"{endDate}\"")}},"message":{{(message is null ? "null" : Json(message))}},"status":"{{status}}","records_processed":{{(recordsProcessed is null ? "null" : recordsProcessed.ToString())}},"source":"inventory_system","destination":"data_warehouse"}""";

    protected static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary>A loopback port nothing listens on.</summary>
    protected static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The value of one header of a received request, or null.</summary>
    protected static string? Header(IRequestMessage request, string name)
    {
        var values = request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
        return values is null ? null : string.Join(",", values);
    }
}
