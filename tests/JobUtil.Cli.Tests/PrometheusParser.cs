using System.Diagnostics;
using System.Text.Json;

namespace JobUtil.Cli.Tests;

/// <summary>
/// Parses Prometheus's text exposition format with the official Python client's parser (Debian's
/// <c>python3-prometheus-client</c>, which .ci/run installs), so the output is checked by a real parser, not by patterns.
/// </summary>
internal static class PrometheusParser
{
    private const string Script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        families = [{"name": f.name, "type": f.type, "help": f.documentation,
                     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
                    for f in text_string_to_metric_families(sys.stdin.read())]
        print(json.dumps(families))
        """;

    public static List<MetricFamily> Parse(string exposition)
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Unavailable($"python3 cannot be started ({e.Message})");
            throw;
        }

        using (process)
        {
            process.StandardInput.Write(exposition);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 && stderr.Contains("No module named 'prometheus_client'", StringComparison.Ordinal))
            {
                Unavailable("the Python module prometheus_client is missing (apt-get install python3-prometheus-client)");
            }

            Assert.That(process.ExitCode, Is.Zero, "the Prometheus parser refused the output:\n" + stderr + "\n" + exposition);
            return JsonSerializer.Deserialize<List<MetricFamily>>(stdout.Result, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        }
    }

    private static void Unavailable(string reason)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(reason + ". CI=true, where .ci/run installs it.");
        }

        Assert.Ignore(reason + ".");
    }
}

internal sealed record MetricFamily(string Name, string Type, string Help, List<MetricSample> Samples);

internal sealed record MetricSample(string Name, Dictionary<string, string> Labels, double Value);
