namespace JobUtil.Sample;

/// <summary>The sample's own settings (section <c>Sample</c> of appsettings.json).</summary>
public sealed class SampleOptions
{
    /// <summary>The ETL job's name in the Jobs API.</summary>
    public string JobName { get; set; } = "orders_copy";

    /// <summary>Where the two SQLite databases live; empty means a <c>jobutil-sample</c> folder in the temp directory.</summary>
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>How many orders a new source database is created with.</summary>
    public int DemoOrders { get; set; } = 1000;

    /// <summary>The folder the databases are kept in.</summary>
    public string ResolveDataDirectory()
        => string.IsNullOrWhiteSpace(DataDirectory) ? Path.Combine(Path.GetTempPath(), "jobutil-sample") : Path.GetFullPath(DataDirectory);
}
