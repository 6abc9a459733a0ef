namespace JobUtil;

/// <summary>
/// Whether starts send a run key, the client-made <c>uuid</c> in the <c>run_key</c> column of <c>db/schema.sql</c>
/// by which a start whose response was lost finds its own row (<see cref="JobOptions.RunKey"/>).
/// </summary>
public enum RunKeyMode
{
    /// <summary>
    /// Send a key; when the table answers that it has no <c>run_key</c> column, remember that (for this
    /// <see cref="Job"/>) and start without one. The default.
    /// </summary>
    Auto = 0,

    /// <summary>Always send a key: a table without the <c>run_key</c> column fails every start with an error that says so.</summary>
    On = 1,

    /// <summary>
    /// Never send a key: a start whose response was lost is recognised only by an exact, unique <c>start_date</c>,
    /// and fails when that cannot identify it.
    /// </summary>
    Off = 2,
}
