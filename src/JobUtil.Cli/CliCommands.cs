using System.CommandLine;
using System.CommandLine.Help;
using JobUtil.Cli.Commands;

namespace JobUtil.Cli;

/// <summary>The command-line grammar: the root command, its global options and one subcommand per action.</summary>
internal static class CliCommands
{
    public const string VerboseName = "--verbose";

    public static Command Build(CliConsole console)
    {
        var connection = new ConnectionOptions();
        // Not RootCommand, whose name is the executable's (JobUtil.Cli under dotnet): usage must say jobutil.
        var root = new Command("jobutil", "Run ETL scripts as tracked jobs against a PostgREST Jobs API: read the watermark, record each run's start and outcome.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        connection.AddTo(root);
        root.Subcommands.Add(MostRecentCommand.Create(console, connection));
        root.Subcommands.Add(StartCommand.Create(console, connection));
        root.Subcommands.Add(ResultCommand.Create(console, connection));
        root.Subcommands.Add(RunCommand.Create(console, connection));
        root.Subcommands.Add(ListCommand.Create(console, connection));
        root.Subcommands.Add(ReportCommand.Create(console, connection));
        root.Subcommands.Add(StatusCommand.Create(console, connection));
        root.Subcommands.Add(CheckCommand.Create(console, connection));
        root.Subcommands.Add(RecoverCommand.Create(console, connection));
        OptionValues.RefuseEmptyText(root);
        return root;
    }

    /// <summary>A required text option (an empty or blank value is refused, as for every text option).</summary>
    public static Option<string> RequiredText(string name, string description)
        => new(name) { Description = description, Required = true };
}
