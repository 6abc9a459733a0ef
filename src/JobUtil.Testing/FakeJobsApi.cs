using System.Globalization;
using System.Net;
using System.Text;
using JobUtil.Testing.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace JobUtil.Testing;

/// <summary>
/// An in-process, stateful stand-in for a PostgREST Jobs API: a Kestrel server on a free loopback port that holds
/// an in-memory <c>jobs</c> table and answers like PostgREST. It is a test double, not a production server.
/// </summary>
/// <remarks>
/// <para>
/// It answers what JobUtil, the <c>jobutil</c> command and hand-written clients commonly send: GET with the
/// <c>eq</c>, <c>neq</c>, <c>gt</c>, <c>gte</c>, <c>lt</c>, <c>lte</c>, <c>in</c>, <c>is</c>, <c>like</c> and <c>ilike</c>
/// filters (optionally negated with <c>not.</c>), <c>order</c>, <c>limit</c>, <c>offset</c> and <c>select</c>; POST of an
/// object or an array; PATCH and DELETE with filters; <c>Prefer: return=representation</c>; the single-object
/// <c>Accept</c> type; and the read-only <c>jobs_latest</c> and <c>jobs_fleet</c> views. It enforces the constraints of <c>db/schema.sql</c>
/// (NOT NULL; the CHECKs on <c>status</c>, <c>end_date &gt;= start_date</c> and <c>records_processed &gt;= 0</c>; the
/// <c>jobs_final_state</c> trigger that keeps a finished run final) and column types with PostgREST's codes and statuses,
/// and renders rows and timestamps as PostgreSQL does. Logical filters (<c>or=(…)</c>, <c>and=(…)</c>, <c>not.or=(…)</c>,
/// nested) are evaluated as PostgREST parses them. Embedding, RPC and upserts are not emulated.
/// </para>
/// <para>All members are thread-safe. Dispose the instance to stop the server.</para>
/// </remarks>
/// <example>
/// <code>
/// using var api = FakeJobsApi.Start();
/// using var job = new Job("nightly_copy", api.Url, "crm", "warehouse");
/// await job.RunAsync((since, ct) => CopyAsync(since, ct));
/// Assert.That(api.Rows.Single().Status, Is.EqualTo("success"));
/// </code>
/// </example>
public sealed partial class FakeJobsApi : IDisposable
{
    private readonly WebApplication _server;
    private readonly FakeJobsApiOptions _options;
    private readonly JobsTable _table;
    private readonly PostgrestHandler _handler;
    private readonly Faults _faults = new();
    private readonly List<FakeRequest> _requests = [];
    private readonly object _requestsGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private int _inFlight;

    private FakeJobsApi(FakeJobsApiOptions options)
    {
        _options = options;
        _table = new JobsTable(options);
        _handler = new PostgrestHandler(_table, options);
        _server = StartServer(HandleAsync);

        var prefix = options.PathPrefix.TrimEnd('/');
        if (prefix.Length > 0 && !prefix.StartsWith('/'))
        {
            prefix = "/" + prefix;
        }

        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUrl = $"http://127.0.0.1:{new Uri(address).Port.ToString(CultureInfo.InvariantCulture)}";
        Url = $"{BaseUrl}{prefix}/{JobsTable.Name}";
    }

    /// <summary>The URL of the jobs table, such as <c>http://127.0.0.1:PORT/jobs</c>: what a client is configured with.</summary>
    public string Url { get; }

    /// <summary>The server's root, such as <c>http://127.0.0.1:PORT</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>The URL of the read-only <c>jobs_latest</c> view (the newest row per job name).</summary>
    public string LatestUrl => Url + "_latest";

    /// <summary>
    /// The URL of the read-only <c>jobs_fleet</c> view of db/schema.sql (each job's latest run and latest success);
    /// not served when <see cref="FakeJobsApiOptions.ServeFleetView"/> is false.
    /// </summary>
    public string FleetUrl => Url + "_fleet";

    /// <summary>
    /// How many requests are being handled right now (waiting on an injected delay, say): a test that moves a fake
    /// clock can first wait for the request it delays to have arrived.
    /// </summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>How this instance behaves.</summary>
    public FakeJobsApiOptions Options => _options;

    /// <summary>A snapshot of the table's rows, in table order.</summary>
    public IReadOnlyList<FakeJobRow> Rows => _table.Snapshot();

    /// <summary>A snapshot of the requests received so far, oldest first.</summary>
    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            lock (_requestsGate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts a fake with the default options: no auth, the modern era, UTC.</summary>
    /// <returns>The running fake; dispose it to stop the server.</returns>
    public static FakeJobsApi Start() => Start(new FakeJobsApiOptions());

    /// <summary>Starts a fake on a free loopback port.</summary>
    /// <param name="options">How it behaves.</param>
    /// <returns>The running fake; dispose it to stop the server.</returns>
    public static FakeJobsApi Start(FakeJobsApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckOptions(options);
        return new FakeJobsApi(options);
    }

    /// <summary>Mints an HS256 JWT signed with <paramref name="secret"/>, for a fake started with that secret.</summary>
    /// <param name="secret">The HS256 secret.</param>
    /// <param name="role">The <c>role</c> claim.</param>
    /// <param name="expires">The <c>exp</c> claim; none when <see langword="null"/>.</param>
    /// <returns>The compact token (<c>header.payload.signature</c>).</returns>
    public static string CreateToken(string secret, string role, DateTimeOffset? expires = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(role);
        return Jwt.Create(secret, role, expires);
    }

    /// <summary>Mints a token signed with this fake's <see cref="FakeJobsApiOptions.JwtSecret"/>.</summary>
    /// <param name="role">The <c>role</c> claim, such as <see cref="FakeJobsApiOptions.WriterRole"/>.</param>
    /// <param name="expires">The <c>exp</c> claim; none when <see langword="null"/>.</param>
    /// <returns>The compact token.</returns>
    /// <exception cref="InvalidOperationException">The fake was started without a JWT secret.</exception>
    public string CreateToken(string role, DateTimeOffset? expires = null)
        => CreateToken(_options.JwtSecret ?? throw new InvalidOperationException("This FakeJobsApi has no JwtSecret: auth is disabled."), role, expires);

    /// <summary>Mints a token for the writer role, signed with this fake's secret.</summary>
    /// <param name="expires">The <c>exp</c> claim; none when <see langword="null"/>.</param>
    /// <returns>The compact token.</returns>
    public string CreateWriterToken(DateTimeOffset? expires = null) => CreateToken(_options.WriterRole, expires);

    /// <summary>
    /// Adds rows directly (no HTTP, no auth), checked like an insert. A row whose <see cref="FakeJobRow.Id"/> is 0 takes
    /// the next id; the id sequence moves past every seeded id.
    /// </summary>
    /// <param name="rows">The rows to add.</param>
    /// <returns>The rows as stored (ids assigned, timestamps rounded to microseconds).</returns>
    /// <exception cref="ArgumentException">A row violates a constraint; nothing was added.</exception>
    public IReadOnlyList<FakeJobRow> Seed(params FakeJobRow[] rows) => _table.Seed(rows);

    /// <summary>Empties the table (restarting the id sequence), forgets the requests, and cancels every planned fault.</summary>
    public void Reset()
    {
        _table.Clear();
        _faults.Clear();
        lock (_requestsGate)
        {
            _requests.Clear();
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> requests (of <paramref name="method"/>, or of any method) are not handled:
    /// they are answered with <paramref name="status"/> and nothing is written.
    /// </summary>
    /// <param name="count">How many requests fail.</param>
    /// <param name="status">
    /// The status: 503 and 504 get PostgREST's bodies (<c>PGRST002</c>, <c>PGRST003</c>), other statuses a proxy's HTML page;
    /// 0 drops the connection without an answer.
    /// </param>
    /// <param name="method">Only requests of this method (such as <c>POST</c>); any method when null.</param>
    /// <param name="retryAfter">When given, a <c>Retry-After</c> header in whole seconds.</param>
    /// <returns>This instance.</returns>
    public FakeJobsApi FailNext(int count, int status, string? method = null, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        CheckStatus(status);
        _faults.Add(new Fault { Stage = FaultStage.BeforeHandling, Remaining = count, Status = status, Method = method, RetryAfter = retryAfter });
        return this;
    }

    /// <summary>The next <paramref name="count"/> requests (of <paramref name="method"/>, or of any method) wait <paramref name="delay"/>, then are handled.</summary>
    /// <param name="count">How many requests wait.</param>
    /// <param name="delay">How long each waits before it is handled.</param>
    /// <param name="method">Only requests of this method; any method when null.</param>
    /// <returns>This instance.</returns>
    public FakeJobsApi DelayNext(int count, TimeSpan delay, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _faults.Add(new Fault { Stage = FaultStage.BeforeHandling, Remaining = count, Delay = delay, Method = method });
        return this;
    }

    /// <summary>
    /// The next <paramref name="count"/> successful writes (of <paramref name="method"/>, or of any write method) are committed,
    /// and then answered with <paramref name="status"/> instead of their result: the lost response that makes a retried POST
    /// a possible duplicate.
    /// </summary>
    /// <param name="count">How many writes.</param>
    /// <param name="status">The status answered after the commit (such as 502 or 504); 0 drops the connection.</param>
    /// <param name="method">Only writes of this method (<c>POST</c>, <c>PATCH</c>, <c>DELETE</c>); any write when null.</param>
    /// <returns>This instance.</returns>
    public FakeJobsApi FailNextAfterCommit(int count, int status, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        CheckStatus(status);
        _faults.Add(new Fault { Stage = FaultStage.AfterCommit, Remaining = count, Status = status, Method = method });
        return this;
    }

    /// <summary>The next <paramref name="count"/> successful writes are committed at once, and their answer is held back for <paramref name="delay"/>.</summary>
    /// <param name="count">How many writes.</param>
    /// <param name="delay">How long the answer waits after the commit.</param>
    /// <param name="method">Only writes of this method; any write when null.</param>
    /// <returns>This instance.</returns>
    public FakeJobsApi DelayNextAfterCommit(int count, TimeSpan delay, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _faults.Add(new Fault { Stage = FaultStage.AfterCommit, Remaining = count, Delay = delay, Method = method });
        return this;
    }

    /// <summary>
    /// The next <paramref name="count"/> successful writes (of <paramref name="method"/>, or of any write method) are committed,
    /// and their answers held until <paramref name="release"/> completes (or the fake stops): a slow response whose end the
    /// test chooses, with no clock involved. <see cref="InFlight"/> counts the requests held.
    /// </summary>
    /// <param name="count">How many writes.</param>
    /// <param name="release">Completes when the answers may go.</param>
    /// <param name="method">Only writes of this method; any write when null.</param>
    /// <returns>This instance.</returns>
    public FakeJobsApi HoldNextAfterCommit(int count, Task release, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentNullException.ThrowIfNull(release);
        _faults.Add(new Fault { Stage = FaultStage.AfterCommit, Remaining = count, Until = release, Method = method });
        return this;
    }

    /// <summary>Stops the server; requests still waiting on an injected delay are released.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _server.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_server).Dispose();
        _stopping.Dispose();
    }

    private static void CheckStatus(int status)
    {
        if (status != 0 && status is < 100 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A status is 0 (drop the connection) or between 100 and 599.");
        }
    }

    /// <summary>
    /// Kestrel from the ASP.NET Core shared framework, bound to port 0 of 127.0.0.1 (the system picks a free port, so no
    /// other process can take it first), with no configuration, logging or middleware of its own: every request goes
    /// to <paramref name="handle"/>.
    /// </summary>
    private static WebApplication StartServer(RequestDelegate handle)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(handle);
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values.ToArray());
        }

        using var reader = new StreamReader(request.Body, new UTF8Encoding(false));
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var body = text.Length > 0 ? text : null;
        var query = (request.QueryString.Value ?? string.Empty).TrimStart('?');
        var method = request.Method.ToUpperInvariant();
        var path = request.Path.Value ?? "/";

        Reply reply;
        Interlocked.Increment(ref _inFlight);
        try
        {
            reply = await AnswerAsync(method, path, query, headers, body).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            reply = new Reply(0) { Drop = true };
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        lock (_requestsGate)
        {
            _requests.Add(new FakeRequest(method, path, query, headers, body, reply.Drop ? 0 : reply.Status));
        }

        await WriteAsync(context, reply).ConfigureAwait(false);
    }

    private async Task<Reply> AnswerAsync(string method, string path, string query, Dictionary<string, string> headers, string? body)
    {
        if (_faults.Take(FaultStage.BeforeHandling, method) is { } before)
        {
            if (before.Answer is { } answer)
            {
                return answer(null);
            }

            if (before.Status is { } status)
            {
                return Failure(status, before.RetryAfter);
            }

            await Task.Delay(before.Delay, _stopping.Token).ConfigureAwait(false);
        }

        var reply = _handler.Handle(method, path, query, headers, body);
        var isWrite = method is "POST" or "PATCH" or "DELETE";
        if (isWrite && reply.Status is >= 200 and < 300 && _faults.Take(FaultStage.AfterCommit, method) is { } after)
        {
            if (after.Answer is { } answer)
            {
                return answer(reply);
            }

            if (after.Status is { } status)
            {
                return Failure(status, null);
            }

            await (after.Until?.WaitAsync(_stopping.Token) ?? Task.Delay(after.Delay, _stopping.Token)).ConfigureAwait(false);
        }

        return reply;
    }

    private Reply Failure(int status, TimeSpan? retryAfter)
    {
        Reply reply = status switch
        {
            0 => new Reply(0) { Drop = true },
            503 => _handler.Error(new PgError(503, "PGRST002", "Could not query the database for the schema cache. Retrying.", own: true)),
            504 => _handler.Error(new PgError(504, "PGRST003", "Timed out acquiring connection from connection pool.", own: true)),
            _ => new Reply(status).WithBody($"<html><body><h1>{status.ToString(CultureInfo.InvariantCulture)} {ReasonPhrase(status)}</h1></body></html>", "text/html"),
        };
        if (retryAfter is { } wait)
        {
            reply.WithHeader("Retry-After", ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        }

        return reply;
    }

    private static string ReasonPhrase(int status)
        => Enum.IsDefined(typeof(HttpStatusCode), status) ? ((HttpStatusCode)status).ToString() : "Error";

    private static async Task WriteAsync(HttpContext context, Reply reply)
    {
        if (reply.Drop)
        {
            context.Abort();
            return;
        }

        var response = context.Response;
        response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers.Append(name, value);
        }

        if (reply.Body is { } body)
        {
            var bytes = new UTF8Encoding(false).GetBytes(body);
            response.ContentType = reply.ContentType;
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
