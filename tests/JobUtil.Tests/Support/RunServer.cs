using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace JobUtil.Tests.Support;

/// <summary>
/// A small stateful jobs endpoint on WireMock for tests of what Job does around the requests (RunAsync, DI,
/// logging, telemetry): GET answers the configured watermark, POST stores the run, PATCH updates it.
/// Failures are switched on per method.
/// </summary>
internal sealed class RunServer : IDisposable
{
    private readonly object _gate = new();
    private JsonObject? _row;
    private Guid? _slowPatch;
    private Guid? _heldPost;

    public RunServer()
    {
        Server = WireMockServer.Start();
        Server.Given(Request.Create().WithPath("/jobs").UsingGet()).RespondWith(Response.Create().WithCallback(Get));
        Server.Given(Request.Create().WithPath("/jobs").UsingPost()).RespondWith(Response.Create().WithCallback(Post));
        Server.Given(Request.Create().WithPath("/jobs").UsingPatch()).RespondWith(Response.Create().WithCallback(Patch));
    }

    public WireMockServer Server { get; }

    public string Url => Server.Url + "/jobs";

    /// <summary>The start_date the watermark query answers; none when null.</summary>
    public string? Watermark { get; set; }

    /// <summary>When set, POST answers this status with a PostgREST error body.</summary>
    public int? PostFailure { get; set; }

    /// <summary>When set, PATCH answers this status with a PostgREST error body.</summary>
    public int? PatchFailure { get; set; }

    /// <summary>The stored run as the server has it now.</summary>
    public JsonObject? Row
    {
        get
        {
            lock (_gate)
            {
                return (JsonObject?)_row?.DeepClone();
            }
        }
    }

    /// <summary>From now on PATCH is answered (and applied) only after <paramref name="delay"/>.</summary>
    public void SlowPatch(TimeSpan delay)
    {
        _slowPatch = Guid.NewGuid();
        Server.Given(Request.Create().WithPath("/jobs").UsingPatch())
            .WithGuid(_slowPatch.Value)
            .AtPriority(0)
            .RespondWith(Response.Create().WithCallback(Patch).WithDelay(delay));
    }

    /// <summary>
    /// The next POSTs are stored at once, then answered only after five seconds; the task completes when one is stored.
    /// </summary>
    public Task HoldPost()
    {
        var stored = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _heldPost = Guid.NewGuid();
        Server.Given(Request.Create().WithPath("/jobs").UsingPost())
            .WithGuid(_heldPost.Value)
            .AtPriority(0)
            .RespondWith(Response.Create().WithCallback(async request =>
            {
                var response = Post(request);
                stored.TrySetResult(true);
                await Task.Delay(TimeSpan.FromSeconds(5));
                return response;
            }));
        return stored.Task;
    }

    public int Count(string method) => Server.LogEntries.Count(e => e.RequestMessage.Method == method);

    public JobOptions Options(Action<JobOptions>? configure = null)
    {
        var options = new JobOptions
        {
            Url = Url,
            Source = "inventory_system",
            Destination = "data_warehouse",
            MaxRetryAttempts = 0,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Forgets the run, the failures and the request log; the server keeps running.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _row = null;
        }

        if (_slowPatch is { } slow)
        {
            Server.DeleteMapping(slow);
            _slowPatch = null;
        }

        if (_heldPost is { } held)
        {
            Server.DeleteMapping(held);
            _heldPost = null;
        }

        Watermark = null;
        PostFailure = null;
        PatchFailure = null;
        Server.ResetLogEntries();
    }

    public void Dispose() => Server.Stop();

    private ResponseMessage Get(IRequestMessage request)
    {
        // The lookup of a start whose response was lost asks for the in-progress run; anything else is the watermark.
        if (request.RawQuery?.Contains("status=eq.in_progress", StringComparison.Ordinal) == true)
        {
            var row = Row;
            return Json(200, row is not null && row["status"]?.GetValue<string>() == "in_progress" ? new JsonArray(row).ToJsonString() : "[]");
        }

        return Json(200, Watermark is null ? "[]" : $"[{{\"start_date\":\"{Watermark}\"}}]");
    }

    private ResponseMessage Post(IRequestMessage request)
    {
        if (PostFailure is { } status)
        {
            return Error(status);
        }

        var row = JsonNode.Parse(request.Body!)!.AsObject();
        row["id"] = 1;
        row["message"] = null;
        row["records_processed"] = null;
        lock (_gate)
        {
            _row = row;
            return Json(201, new JsonArray(row.DeepClone()).ToJsonString());
        }
    }

    private ResponseMessage Patch(IRequestMessage request)
    {
        if (PatchFailure is { } status)
        {
            return Error(status);
        }

        var update = JsonNode.Parse(request.Body!)!.AsObject();
        lock (_gate)
        {
            if (_row is null)
            {
                return Json(200, "[]");
            }

            foreach (var (key, value) in update)
            {
                _row[key] = value?.DeepClone();
            }

            return Json(200, new JsonArray(_row.DeepClone()).ToJsonString());
        }
    }

    private static ResponseMessage Error(int status)
        => Json(status, "{\"code\":\"XX000\",\"message\":\"injected failure\",\"details\":null,\"hint\":null}");

    private static ResponseMessage Json(int status, string body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json; charset=utf-8") },
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String },
    };
}
