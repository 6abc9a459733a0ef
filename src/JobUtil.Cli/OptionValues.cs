using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace JobUtil.Cli;

/// <summary>
/// How option values are read. A value that cannot be used is a parse error naming the option and the form it
/// expects, in words a shell user reads (never a .NET type name), so it becomes a usage error (exit code 2) like
/// every other wrong command line.
/// </summary>
internal static class OptionValues
{
    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<T> WholeNumber<T>(string name, string description, T min, T max, T defaultValue)
        where T : struct, IBinaryInteger<T>
        => new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => Parse(result, name, min, max) ?? defaultValue,
        };

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/> that must be given.</summary>
    public static Option<T> RequiredWholeNumber<T>(string name, string description, T min, T max)
        where T : struct, IBinaryInteger<T>
        => new(name)
        {
            Description = description,
            Required = true,
            CustomParser = result => Parse(result, name, min, max) ?? default,
        };

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or nothing when the option is left out.</summary>
    public static Option<T?> OptionalWholeNumber<T>(string name, string description, T min, T max)
        where T : struct, IBinaryInteger<T>
        => new(name)
        {
            Description = description,
            CustomParser = result => Parse(result, name, min, max),
        };

    /// <summary>A switch: given alone it is on; <c>true</c> or <c>false</c> may follow it.</summary>
    public static Option<bool> Switch(string name, string description)
        => new(name)
        {
            Description = description,
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0)
                {
                    return true;
                }

                var text = result.Tokens[^1].Value;
                if (bool.TryParse(text, out var value))
                {
                    return value;
                }

                result.AddError($"{name} is a switch: give it alone, or followed by true or false; got {Shown(text)}.");
                return false;
            },
        };

    /// <summary>Accepts only one of <paramref name="values"/>.</summary>
    public static Option<string> OneOf(this Option<string> option, params string[] values)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Trim().Length > 0 && !values.Contains(token.Value, StringComparer.Ordinal))
                {
                    result.AddError($"{option.Name} must be {Alternatives(values)}; got {Shown(token.Value)}.");
                }
            }
        });
        return option;
    }

    /// <summary>
    /// Every text option of <paramref name="command"/> and its subcommands refuses an empty or blank value: it is
    /// almost always a shell variable that expanded to nothing, and sending it would hide the mistake.
    /// </summary>
    public static void RefuseEmptyText(Command command)
    {
        foreach (var option in command.Options.Where(o => o.ValueType == typeof(string)))
        {
            option.Validators.Add(result =>
            {
                if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
                {
                    result.AddError($"{option.Name} needs a value; got {Shown(result.Tokens.First(t => string.IsNullOrWhiteSpace(t.Value)).Value)}.");
                }
            });
        }

        foreach (var subcommand in command.Subcommands)
        {
            RefuseEmptyText(subcommand);
        }
    }

    /// <summary>A value as the message shows it: quoted, or said to be empty.</summary>
    public static string Shown(string text) => text.Length == 0 ? "an empty value" : text.Trim().Length == 0 ? "a blank value" : $"'{text}'";

    private static T? Parse<T>(ArgumentResult result, string name, T min, T max)
        where T : struct, IBinaryInteger<T>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError($"{name} must be a whole number from {min} to {max}; got {Shown(text)}.");
        return null;
    }

    private static string Alternatives(string[] values)
        => values.Length == 1 ? values[0] : string.Join(", ", values[..^1]) + " or " + values[^1];

    /// <summary><c>--name</c>, repeatable, each value a job name that must not be empty.</summary>
    public static Option<string[]> JobNames(string description)
    {
        var names = new Option<string[]>("--name") { Description = description, Arity = ArgumentArity.ZeroOrMore };
        names.Validators.Add(result =>
        {
            if ((result.GetValueOrDefault<string[]>() ?? []).Any(string.IsNullOrWhiteSpace))
            {
                result.AddError("--name must not be empty.");
            }
        });
        return names;
    }
}
