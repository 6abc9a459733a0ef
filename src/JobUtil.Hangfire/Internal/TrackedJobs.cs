using System.Collections.Concurrent;
using System.Reflection;
using Hangfire.Common;
using HangfireJob = Hangfire.Common.Job;
using Hangfire.Server;

namespace JobUtil.Hangfire.Internal;

/// <summary>Whether a Hangfire job is tracked, and under which name, source and destination.</summary>
internal sealed class TrackedJobs
{
    /// <summary>The job parameter Hangfire's recurring job scheduler gives each job it creates.</summary>
    internal const string RecurringJobIdParameter = "RecurringJobId";

    /// <summary>The job parameter <c>AutomaticRetryAttribute</c> counts its retries in.</summary>
    internal const string RetryCountParameter = "RetryCount";

    private readonly ConcurrentDictionary<(Type, MethodInfo), TrackedRunAttribute?> _attributes = new();

    /// <summary>
    /// The attribute that opts the job in: on its method, else on its class (the job's type, or the type declaring the
    /// method, for a job enqueued through an interface or a base class); <see langword="null"/> when it is not tracked.
    /// </summary>
    public TrackedRunAttribute? Find(HangfireJob job)
        => _attributes.GetOrAdd((job.Type, job.Method), static key =>
            key.Item2.GetCustomAttribute<TrackedRunAttribute>(inherit: true)
            ?? key.Item1.GetCustomAttribute<TrackedRunAttribute>(inherit: true)
            ?? key.Item2.DeclaringType?.GetCustomAttribute<TrackedRunAttribute>(inherit: true));

    /// <summary>The run's name: the attribute's, else the recurring job id, else <c>Type.Method</c>; never a job id.</summary>
    public static string NameOf(PerformContext context, TrackedRunAttribute attribute)
    {
        if (attribute.Name is { Length: > 0 } name)
        {
            return name;
        }

        var recurringJobId = context.GetJobParameter<string>(RecurringJobIdParameter, allowStale: true);
        var job = context.BackgroundJob.Job;
        return string.IsNullOrWhiteSpace(recurringJobId) ? job.Type.Name + "." + job.Method.Name : recurringJobId;
    }

    /// <summary>Which attempt this execution is: 1, plus the retries <c>AutomaticRetryAttribute</c> has scheduled.</summary>
    public static int AttemptOf(PerformContext context)
        => context.GetJobParameter<int>(RetryCountParameter, allowStale: true) + 1;
}
