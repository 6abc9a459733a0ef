using BenchmarkDotNet.Running;
using JobUtil.Benchmarks;

// Run with: dotnet run -c Release --project benchmarks/JobUtil.Benchmarks -- --filter '*'
// A quick allocation check instead: ... -- --allocations
if (args is ["--allocations"])
{
    await AllocationProbe.RunAsync(Console.Out).ConfigureAwait(false);
    return 0;
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(OperationBenchmarks).Assembly).Run(args).ToList();

TargetReport.Print(summaries, Console.Out);

// A benchmark that threw (a failed cycle, a request the baseline did not match) fails the run.
var failed = summaries.SelectMany(s => s.Reports).Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo).ToList();
if (failed.Count > 0 || summaries.Any(s => s.HasCriticalValidationErrors))
{
    Console.Error.WriteLine("Benchmarks failed: " + (failed.Count > 0 ? string.Join(", ", failed) : "validation errors"));
    return 1;
}

return 0;
