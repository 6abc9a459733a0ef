using System.Globalization;
using BenchmarkDotNet.Reports;

namespace JobUtil.Benchmarks;

/// <summary>
/// Pairs every <c>Sdk_X</c> result with its <c>Raw_X</c> baseline and checks the targets: per operation at most 1.10x
/// the baseline's median time and at most 2.5 KB more allocated; at 32-way concurrency at least 0.95x its throughput.
/// The mean ratio is printed beside the median.
/// </summary>
internal static class TargetReport
{
    public const double MaxTimeRatio = 1.10;
    public const long MaxExtraBytes = 2560;
    public const double MinConcurrentThroughputRatio = 0.95;

    public static void Print(IEnumerable<Summary> summaries, TextWriter output)
    {
        var reports = summaries.SelectMany(s => s.Reports).Where(r => r.Success && r.ResultStatistics is not null).ToList();
        var byMethod = reports.ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name);

        output.WriteLine();
        output.WriteLine("| Operation | Baseline mean | SDK mean | Time ratio | Median ratio | Baseline alloc | SDK alloc | Extra alloc | Ops/s baseline | Ops/s SDK | Target |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var sdk in reports.Where(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name.StartsWith("Sdk_", StringComparison.Ordinal)))
        {
            var operation = sdk.BenchmarkCase.Descriptor.WorkloadMethod.Name["Sdk_".Length..];
            if (!byMethod.TryGetValue("Raw_" + operation, out var raw))
            {
                continue;
            }

            var ratio = sdk.ResultStatistics!.Mean / raw.ResultStatistics!.Mean;
            var medianRatio = sdk.ResultStatistics.Median / raw.ResultStatistics.Median;
            var rawBytes = raw.GcStats.GetBytesAllocatedPerOperation(raw.BenchmarkCase) ?? 0;
            var sdkBytes = sdk.GcStats.GetBytesAllocatedPerOperation(sdk.BenchmarkCase) ?? 0;
            var extra = sdkBytes - rawBytes;
            var met = operation.Contains("Concurrent", StringComparison.Ordinal)
                ? 1 / ratio >= MinConcurrentThroughputRatio
                : medianRatio <= MaxTimeRatio && extra <= MaxExtraBytes;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {operation} | {Micro(raw)} | {Micro(sdk)} | {ratio:0.00} | {medianRatio:0.00} | {rawBytes:N0} B | {sdkBytes:N0} B | {extra:N0} B | {PerSecond(raw)} | {PerSecond(sdk)} | {(met ? "met" : "MISSED")} |"));
        }

        output.WriteLine();
    }

    private static string Micro(BenchmarkReport report)
        => string.Create(CultureInfo.InvariantCulture, $"{report.ResultStatistics!.Mean / 1000:0.0} µs");

    private static string PerSecond(BenchmarkReport report)
        => string.Create(CultureInfo.InvariantCulture, $"{1e9 / report.ResultStatistics!.Mean:N0}");
}
