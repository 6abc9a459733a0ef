using System.Collections.Concurrent;
using System.Reflection;
using Quartz;

namespace JobUtil.Quartz.Internal;

/// <summary>Whether a Quartz job is tracked, and under which name, source and destination.</summary>
internal sealed class TrackedJobResolver(JobUtilQuartzOptions options)
{
    private readonly ConcurrentDictionary<Type, TrackedRunAttribute?> _attributes = new();

    /// <summary>The key a job is listed under in <see cref="JobUtilQuartzOptions.Jobs"/>, and its default tracked name.</summary>
    public static string KeyOf(JobKey key)
        => key.Group == JobKey.DefaultGroup ? key.Name : key.Group + "." + key.Name;

    /// <summary>The job's settings, or <see langword="null"/> when it is not tracked.</summary>
    public TrackedJob? Resolve(IJobDetail detail)
    {
        var key = KeyOf(detail.Key);
        options.Jobs.TryGetValue(key, out var configured);
        var attribute = detail.JobType.TryResolve(out var type) && type is not null
            ? _attributes.GetOrAdd(type, static t => t.GetCustomAttribute<TrackedRunAttribute>(inherit: true))
            : null;
        if (configured is null && attribute is null)
        {
            return null;
        }

        return new TrackedJob(
            Name: configured?.Name ?? attribute?.Name ?? key,
            Source: configured?.Source ?? attribute?.Source,
            Destination: configured?.Destination ?? attribute?.Destination);
    }
}

/// <summary>A tracked job's name, and its source and destination when they are not the configured ones.</summary>
internal sealed record TrackedJob(string Name, string? Source, string? Destination);
