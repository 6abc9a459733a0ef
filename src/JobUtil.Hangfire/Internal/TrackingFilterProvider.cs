using Hangfire.Common;
using HangfireJob = Hangfire.Common.Job;

namespace JobUtil.Hangfire.Internal;

/// <summary>
/// The registered filter provider, plus the tracking filter for each tracked job. The tracking filter comes last, so
/// it is the innermost server filter: a filter that refuses the execution first (<c>DisableConcurrentExecution</c>'s
/// lock, say) does so before a run is started, and the run ends before such a filter lets the next execution in.
/// </summary>
internal sealed class TrackingFilterProvider(IJobFilterProvider inner, TrackingFilter filter, TrackedJobs tracked) : IJobFilterProvider
{
    private readonly JobFilter _filter = new(filter, JobFilterScope.Method, int.MaxValue);

    public IEnumerable<JobFilter> GetFilters(HangfireJob job)
    {
        var filters = inner.GetFilters(job);
        return job is not null && tracked.Find(job) is not null ? filters.Append(_filter) : filters;
    }
}
