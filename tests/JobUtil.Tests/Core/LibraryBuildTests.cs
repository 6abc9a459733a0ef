using System.Reflection;
using System.Runtime.Versioning;

namespace JobUtil.Tests.Core;

/// <summary>Each test project runs against the build of the library it claims to.</summary>
public class LibraryBuildTests
{
    [Test]
    public void The_tests_run_against_the_intended_build_of_JobUtil()
    {
        var framework = typeof(Job).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName;
#if JOBUTIL_NETSTANDARD
        Assert.That(framework, Is.EqualTo(".NETStandard,Version=v2.0"));
#else
        Assert.That(framework, Is.EqualTo(".NETCoreApp,Version=v10.0"));
#endif
    }
}
