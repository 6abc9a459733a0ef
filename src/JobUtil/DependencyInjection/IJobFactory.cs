namespace JobUtil;

/// <summary>
/// Creates <see cref="Job"/>s that share the registered options, <see cref="HttpClient"/>, clock and logging.
/// One host may run several ETL jobs: each gets its own name, and may override source and destination.
/// </summary>
/// <remarks>Registered by <c>services.AddJobUtil(...)</c>.</remarks>
public interface IJobFactory
{
    /// <summary>Creates a job.</summary>
    /// <param name="name">The ETL job's name.</param>
    /// <param name="source">The job's source; <see cref="JobOptions.Source"/> when null.</param>
    /// <param name="destination">The job's destination; <see cref="JobOptions.Destination"/> when null.</param>
    /// <returns>A new job with no current run. Disposing it is optional: it does not own its <see cref="HttpClient"/>.</returns>
    /// <exception cref="ArgumentException">The name is empty, or no source or destination is given or configured.</exception>
    Job Create(string name, string? source = null, string? destination = null);
}
