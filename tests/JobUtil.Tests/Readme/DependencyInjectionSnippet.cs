using JobUtil.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JobUtil.Tests.Readme;

/// <summary>The README's "Dependency injection" snippet, compiled and run so it cannot rot.</summary>
[TestFixture]
public sealed class DependencyInjectionSnippet
{
    [Test]
    public async Task Console_host_snippet_runs_against_a_jobs_endpoint()
    {
        using var server = FakeJobsApi.Start();
        Environment.SetEnvironmentVariable("JobUtil__Url", server.Url);
        try
        {
            var count = await Snippet([]);
            Assert.That(count, Is.EqualTo(3));
            Assert.That(server.Rows.Single().Status, Is.EqualTo("success"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("JobUtil__Url", null);
        }
    }

    // README: begin
    private static async Task<long> Snippet(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);   // appsettings.json + environment variables
        builder.Services.AddJobUtil();                         // binds the "JobUtil" section, validated on start

        using var host = builder.Build();
        await host.StartAsync();

        var job = host.Services.GetRequiredService<IJobFactory>()
            .Create("orders_to_warehouse", source: "inventory_system", destination: "data_warehouse");
        var count = await job.RunAsync(async (since, ct) =>
        {
            await Task.Yield();   // extract rows modified at or after `since`, load them, return how many
            return 3L;
        });

        await host.StopAsync();
        return count;
    }

    // README: end
}
