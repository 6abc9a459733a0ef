namespace JobUtil.Lifecycle.Tests.Hosts;

/// <summary><see cref="Job.RunAsync(Func{DateTimeOffset?, CancellationToken, Task{long?}}, CancellationToken)"/> with a body returning <c>Task&lt;long?&gt;</c>.</summary>
public sealed class RunAsyncHost : LifecycleHost
{
    public override string Name => "RunAsync";

    public override string FailureMessage(string message) => "System.IO.InvalidDataException: " + message;

    public override async Task<HostResult> RunAsync(HostRun run)
    {
        var options = new JobOptions();
        run.Configure(options);
        using var http = new HttpClient();
        using var job = new Job(HostRun.JobName, options, http, run.Clock);
        using var cancellation = new CancellationTokenSource();
        var ran = false;
        DateTimeOffset? since = null;
        try
        {
            await job.RunAsync(
                (watermark, ct) =>
                {
                    ran = true;
                    since = watermark;
                    return WorkAsync(run.Work, cancellation.Cancel, ct);
                },
                cancellation.Token);
            return new HostResult(ran, since, Failed: false, RecordingFailure: null);
        }
        catch (Exception e)
        {
            return new HostResult(ran, since, Failed: true, RecordingFailureOf(e));
        }
    }
}
