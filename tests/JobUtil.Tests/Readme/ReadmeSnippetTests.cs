using System.Reflection;
using System.Text.RegularExpressions;
using JobUtil.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace JobUtil.Tests.Readme;

/// <summary>
/// Every C# snippet of the READMEs (the repository's and each package's), read from the README files themselves and
/// compiled as a user's net10.0 console app or test project would compile it: with the SDK's implicit usings and no
/// other, so a snippet that needs a using must show it. Where a snippet continues an earlier one, an HTML comment
/// <c>&lt;!-- snippet-context: ... --&gt;</c> just above it declares what it uses (not shown on the rendered page); lines
/// after a line <c>---</c> in it go after the snippet (types a snippet's statements use). A snippet of another package
/// is marked <c>&lt;!-- snippet-project: JobUtil.Quartz --&gt;</c> above it and compiled by that package's test project,
/// which links this file (with <c>README_SNIPPETS_ONLY</c> defined).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class ReadmeSnippetTests
{
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] ReadmeFiles =
        ["README.md", "src/JobUtil/README.md", "src/JobUtil.Testing/README.md", "src/JobUtil.Cli/README.md", "src/JobUtil.Quartz/README.md", "src/JobUtil.HealthChecks/README.md", "src/JobUtil.Hangfire/README.md"];

    /// <summary>The package whose snippets this test project compiles: its name without <c>.Tests</c> (and <c>.NetStandard</c>).</summary>
    private static readonly string ThisProject = typeof(ReadmeSnippetTests).Assembly.GetName().Name!.Replace(".NetStandard", string.Empty).Replace(".Tests", string.Empty);

    private static IEnumerable<TestCaseData> Snippets()
        => ReadmeFiles.SelectMany(Snippet.Extract).Where(s => s.Project == ThisProject).Select(s => new TestCaseData(s).SetName($"{s.File} line {s.Line} compiles"));

    [TestCaseSource(nameof(Snippets))]
    public void A_snippet_compiles(Snippet snippet)
    {
        var errors = Compile(snippet).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();

        Assert.That(errors, Is.Empty, $"{snippet.File} line {snippet.Line}, compiled as:{Environment.NewLine}{snippet.Source}");
    }

#if !README_SNIPPETS_ONLY
    [Test]
    public void The_READMEs_have_snippets_and_the_main_one_shows_named_endpoints_and_the_token_file()
    {
        var main = Snippet.Extract("README.md").ToList();
        var text = File.ReadAllText(Path.Combine(Snippet.RepositoryRoot, "README.md"));

        Assert.Multiple(() =>
        {
            Assert.That(main, Has.Count.GreaterThanOrEqualTo(8));
            Assert.That(main.Select(s => s.Code), Has.Some.Contains("AddJobUtil(\"warehouse\"").And.Some.Contains("[FromKeyedServices(\"warehouse\")]"));
            Assert.That(text, Does.Contain("--token-file PATH").And.Contain("JOBUTIL_TOKEN_FILE").And.Contain("--token-file -"));
            foreach (var file in new[] { "src/JobUtil/README.md", "src/JobUtil.Testing/README.md" })
            {
                Assert.That(Snippet.Extract(file), Is.Not.Empty, file);
            }
        });
    }

    [Test]
    public async Task The_dependency_injection_snippet_runs_against_a_Jobs_API()
    {
        var snippet = Snippet.Extract("README.md").Single(s => s.Project == "JobUtil" && s.Code.Contains("builder.Services.AddJobUtil();", StringComparison.Ordinal));
        using var api = FakeJobsApi.Start();
        Environment.SetEnvironmentVariable("JobUtil__Url", api.Url);
        try
        {
            var entryPoint = Load(Compile(snippet)).EntryPoint!;
            var result = entryPoint.Invoke(null, [Array.Empty<string>()]);
            if (result is Task task)
            {
                await task;
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("JobUtil__Url", null);
        }

        var row = api.Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(row.Name, Is.EqualTo("orders_to_warehouse"));
            Assert.That(row.Status, Is.EqualTo("success"));
            Assert.That(row.RecordsProcessed, Is.EqualTo(3));
        });
    }

#endif

    private static CSharpCompilation Compile(Snippet snippet)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(string.Join(Environment.NewLine, ImplicitUsings.Select(u => $"global using global::{u};")), parse),
            CSharpSyntaxTree.ParseText(snippet.Source, parse, path: snippet.File),
        };
        var kind = snippet.IsProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary;
        return CSharpCompilation.Create(
            "ReadmeSnippet" + Guid.NewGuid().ToString("N"),
            trees,
            References.Value,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
    }

#if !README_SNIPPETS_ONLY
    private static Assembly Load(CSharpCompilation compilation)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.That(emitted.Success, Is.True, string.Join(Environment.NewLine, emitted.Diagnostics));
        return Assembly.Load(image.ToArray());
    }
#endif

    /// <summary>The framework's assemblies and every assembly beside the tests (JobUtil, JobUtil.Testing, their packages, NUnit).</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return framework.Concat(local)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.Last())
            .Where(IsManaged)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    });

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>One C# block of a README, with the context declared above it.</summary>
    public sealed partial record Snippet(string File, int Line, string Code, string Context, string Project = "JobUtil")
    {
        public static string RepositoryRoot { get; } = FindRoot();

        /// <summary>A snippet without a type of its own is a program (top-level statements); otherwise a library.</summary>
        public bool IsProgram => !TypeDeclaration().IsMatch(Code) || TopLevelStatement().IsMatch(Code);

        /// <summary>The compiled text: the usings of the context and the snippet, then the context's statements, then the snippet's.</summary>
        public string Source
        {
            get
            {
                var context = Context.Split('\n');
                var split = Array.FindIndex(context, l => l.Trim() == "---");
                var before = split < 0 ? context : context[..split];
                var after = split < 0 ? [] : context[(split + 1)..];
                var usings = context.Concat(Code.Split('\n')).Where(IsUsingDirective);
                var codeRest = Code.Split('\n').Where(l => !IsUsingDirective(l));
                return string.Join("\n", usings.Distinct().Concat(before.Where(l => !IsUsingDirective(l))).Concat(codeRest).Concat(after.Where(l => !IsUsingDirective(l))));
            }
        }

        public static IEnumerable<Snippet> Extract(string relativePath)
        {
            var lines = System.IO.File.ReadAllLines(Path.Combine(RepositoryRoot, relativePath));
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim() != "```csharp")
                {
                    continue;
                }

                var start = i + 1;
                var end = start;
                while (end < lines.Length && lines[end].Trim() != "```")
                {
                    end++;
                }

                yield return new Snippet(relativePath, start, string.Join("\n", lines[start..end]), ContextAbove(lines, i), ProjectAbove(lines, i));
                i = end;
            }
        }

        public override string ToString() => $"{File}:{Line}";

        private static string ContextAbove(string[] lines, int fence)
        {
            var end = fence - 1;
            if (end < 0 || lines[end].Trim() != "-->")
            {
                return string.Empty;
            }

            var start = end;
            while (start > 0 && !lines[start].StartsWith("<!-- snippet-context:", StringComparison.Ordinal))
            {
                start--;
            }

            return string.Join("\n", lines[(start + 1)..end]);
        }

        /// <summary>The package named by a <c>snippet-project</c> comment just above the fence or its context; JobUtil by default.</summary>
        private static string ProjectAbove(string[] lines, int fence)
        {
            var above = fence - 1;
            if (above >= 0 && lines[above].Trim() == "-->")
            {
                while (above > 0 && !lines[above].StartsWith("<!-- snippet-context:", StringComparison.Ordinal))
                {
                    above--;
                }

                above--;
            }

            const string Marker = "<!-- snippet-project:";
            return above >= 0 && lines[above].StartsWith(Marker, StringComparison.Ordinal)
                ? lines[above][Marker.Length..].Replace("-->", string.Empty).Trim()
                : "JobUtil";
        }

        private static bool IsUsingDirective(string line)
        {
            var trimmed = line.Trim();
            return trimmed.StartsWith("using ", StringComparison.Ordinal) && trimmed.EndsWith(';') && !trimmed.StartsWith("using var ", StringComparison.Ordinal)
                && !trimmed.Contains('(', StringComparison.Ordinal);
        }

        private static string FindRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (System.IO.File.Exists(Path.Combine(directory.FullName, "JobUtil.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException("JobUtil.sln was not found above " + AppContext.BaseDirectory);
        }

        [GeneratedRegex(@"^\s*(public\s+|internal\s+|sealed\s+|static\s+)*(class|record|struct|interface)\s", RegexOptions.Multiline)]
        private static partial Regex TypeDeclaration();

        // A statement at column 0 outside any type: `var x = ...;`, `await ...;`, `builder.X(...);`.
        [GeneratedRegex(@"^(var |await |using var |[A-Za-z_][A-Za-z0-9_.]*\s*[.(=])", RegexOptions.Multiline)]
        private static partial Regex TopLevelStatement();
    }
}
