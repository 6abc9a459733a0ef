using System.Text.RegularExpressions;

namespace JobUtil.Database.Tests;

/// <summary>db/schema.sql of this repository, found by walking up from the test binaries.</summary>
internal static partial class SchemaFile
{
    private static readonly Lazy<string> LazyPath = new(FindPath);

    public static string Path => LazyPath.Value;

    public static string Text => File.ReadAllText(Path);

    /// <summary>
    /// The opt-in overlap guard, exactly as the schema file documents it: its one commented-out
    /// <c>CREATE UNIQUE INDEX ... WHERE status = 'in_progress'</c> statement, without the comment marker.
    /// </summary>
    public static string OverlapGuardStatement
    {
        get
        {
            var matches = CommentedUniqueIndex().Matches(Text);
            return matches.Count == 1
                ? matches[0].Groups["sql"].Value
                : throw new InvalidOperationException($"db/schema.sql should hold exactly one commented-out CREATE UNIQUE INDEX on in_progress runs; found {matches.Count}.");
        }
    }

    private static string FindPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, "db", "schema.sql");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"db/schema.sql was not found in any folder above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^--\s*(?<sql>CREATE UNIQUE INDEX\b[^\n]*status\s*=\s*'in_progress'[^\n]*;)\s*$", RegexOptions.Multiline)]
    private static partial Regex CommentedUniqueIndex();
}
