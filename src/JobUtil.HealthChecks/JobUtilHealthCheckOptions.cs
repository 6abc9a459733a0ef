namespace JobUtil.HealthChecks;

/// <summary>What the JobUtil health check watches, and the thresholds it judges by.</summary>
public sealed class JobUtilHealthCheckOptions
{
    /// <summary>The jobs to check; empty (the default) for every job that has runs. A job named here with no runs is unhealthy.</summary>
    public IList<string> Jobs { get; } = new List<string>();

    /// <summary>The thresholds: maximum age (default and per job), maximum runtime, stale heartbeat.</summary>
    public JobHealthPolicy Policy { get; set; } = new();
}
