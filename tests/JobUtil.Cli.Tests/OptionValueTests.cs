using System.Collections;
using System.CommandLine;

namespace JobUtil.Cli.Tests;

/// <summary>
/// Every option of every command, given an empty value and a value of the wrong form: a usage error (exit 2) in
/// jobutil's own words, naming the option, with no .NET type name, and one line pointing to --help. The cases come from
/// the command tree, so an option added later is covered (or this fixture says what it lacks).
/// </summary>
public class OptionValueTests
{
    private const string Url = "http://127.0.0.1:9/jobs";

    /// <summary>A command line each command accepts; an option under test replaces its own value here.</summary>
    private static readonly Dictionary<string, string[]> ValidCommandLines = new()
    {
        ["most-recent"] = ["--name", "n"],
        ["start"] = ["--name", "n", "--source", "s", "--destination", "d"],
        ["result"] = ["--id", "1", "--status", "success"],
        ["run"] = ["--name", "n", "--source", "s", "--destination", "d"],
        ["list"] = ["--name", "n"],
        ["report"] = ["--output", "/dev/null"],
        ["status"] = ["--format", "text"],
        ["check"] = ["--max-age", "26h"],
        ["recover"] = ["--older-than", "1h"],
    };

    /// <summary>For text options, a value of the wrong form; null where any text is a valid value.</summary>
    private static readonly Dictionary<string, string?> WrongText = new()
    {
        ["--url"] = "not-a-url",
        ["--token"] = "two words",
        ["--token-file"] = "/nonexistent/jobutil/token",
        ["--format"] = "rfc",
        ["--status"] = "done",
        ["--default-since"] = "yesterday",
        ["--name"] = null,
        ["--source"] = null,
        ["--destination"] = null,
        ["--message"] = null,
        ["--default"] = null,
        ["--output"] = null,
        ["--max-age"] = "26 hours",
        ["--max-age-for"] = "orders",
        ["--max-runtime"] = "soon",
        ["--stale-after"] = "-5m",
        ["--heartbeat"] = "often",
        ["--timeout"] = "-5m",
        ["--lookback"] = "5 minutes",
        ["--older-than"] = "0s",
    };

    private static IEnumerable<TestCaseData> Cases()
    {
        var root = CliCommands.Build(new CliConsole(TextWriter.Null, TextWriter.Null, new Hashtable(), isProcessConsole: false));
        var recursive = root.Options.Where(o => o.Recursive).ToList();
        foreach (var command in root.Subcommands)
        {
            foreach (var option in command.Options.Concat(recursive).Where(o => o.Arity.MaximumNumberOfValues > 0))
            {
                yield return Case(command, option, string.Empty, "empty");
                if (WrongValue(option) is { } wrong)
                {
                    yield return Case(command, option, wrong, "wrong");
                }
            }
        }
    }

    private static TestCaseData Case(Command command, Option option, string value, string kind)
        => new TestCaseData(command.Name, option.Name, value).SetName($"{command.Name} {option.Name} with a {kind} value");

    private static string? WrongValue(Option option)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (type.IsArray)
        {
            type = type.GetElementType()!;   // a repeatable option: each value is checked alone
        }
        if (type == typeof(int) || type == typeof(long))
        {
            return "abc";
        }

        if (type == typeof(bool))
        {
            return "maybe";
        }

        if (type == typeof(string) || type == typeof(string[]))
        {
            return WrongText.TryGetValue(option.Name, out var wrong)
                ? wrong
                : throw new InvalidOperationException($"{option.Name} is new: add its wrong value (or null for free text) to {nameof(WrongText)}.");
        }

        throw new InvalidOperationException($"{option.Name} takes a {type.Name}: give it a wrong value here.");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task A_value_that_cannot_be_used_is_a_one_line_usage_error_naming_the_option(string command, string option, string value)
    {
        Assert.That(ValidCommandLines, Does.ContainKey(command), $"add a valid command line for {command}");
        var args = new List<string> { command };
        var valid = ValidCommandLines[command];
        for (var i = 0; i < valid.Length; i += 2)
        {
            if (valid[i] != option)
            {
                args.Add(valid[i]);
                args.Add(valid[i + 1]);
            }
        }

        args.Add(option);
        args.Add(value);
        if (command == "run")
        {
            args.AddRange(["--", "true"]);
        }

        var result = await Cli.RunAsync(Cli.Environment(Url), [.. args]);

        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Stderr);
            Assert.That(result.Stdout, Is.Empty);
            Assert.That(lines, Has.Length.InRange(2, 3), "the problem, at most one warning, and the pointer to --help");
            Assert.That(lines[..^1], Has.All.StartsWith("jobutil: "));
            Assert.That(lines[..^1], Has.Some.Contains(option));
            Assert.That(lines[^1], Is.EqualTo($"Run 'jobutil {command} --help' for usage."));
            Assert.That(result.Stderr, Does.Not.Contain("System.").And.Not.Contain("`1").And.Not.Contain("Int32").And.Not.Contain("Int64")
                .And.Not.Contain("Boolean").And.Not.Contain("Exception").And.Not.Contain("Usage:"));
        });
    }

    [Test]
    public async Task An_empty_record_count_names_the_option_and_the_expected_form()
    {
        var result = await Cli.RunAsync(Cli.Environment(Url), "result", "--id", "10", "--status", "success", "--records", "");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Stderr, Is.EqualTo(
                "jobutil: --records must be a whole number from 0 to 2147483647; got an empty value." + Environment.NewLine +
                "Run 'jobutil result --help' for usage." + Environment.NewLine));
        });
    }

    [Test]
    public async Task A_switch_given_true_or_false_is_accepted()
    {
        var result = await Cli.RunAsync(Cli.Environment(Url), "list", "--name", "n", "--json", "false", "--verbose", "true");

        Assert.That(result.ExitCode, Is.EqualTo(1), "parsed, then the unreachable Jobs API fails the command: " + result.Stderr);
        Assert.That(result.Stderr, Does.Contain("   at "), "--verbose true shows the stack trace");
    }
}
