using Microsoft.Extensions.Logging;

namespace JobUtil.Internal;

/// <summary>
/// What a run handle needs to record its heartbeats and outcome: the wire, the validated options, the clock and the
/// logger. A <see cref="Job"/> hands its own to each <see cref="JobRun"/> it makes, so a run never calls back into
/// its job.
/// </summary>
internal sealed record RunContext(JobsApi Api, JobOptions Options, TimeProvider Time, ILogger Logger);
