namespace JobUtil.Database.Tests;

/// <summary>Without PostgreSQL the database tests are skipped with a reason, except under CI, where they fail.</summary>
public class AvailabilityTests
{
    [Test]
    public void Missing_server_programs_are_reported_with_what_is_missing()
    {
        var empty = Directory.CreateTempSubdirectory("jobutil-no-pg-");
        try
        {
            var found = PostgresBinaries.FindIn([empty.FullName], out var reason);

            Assert.Multiple(() =>
            {
                Assert.That(found, Is.Null);
                Assert.That(reason, Does.Contain("initdb").And.Contain("pg_config --bindir"));
            });
        }
        finally
        {
            empty.Delete();
        }
    }

    [Test]
    public void The_programs_are_found_in_the_directory_that_has_them()
    {
        var found = PostgresBinaries.FindIn(["/nonexistent", ClusterSetUp.Cluster.Binaries.Directory], out _);

        Assert.That(found?.Directory, Is.EqualTo(ClusterSetUp.Cluster.Binaries.Directory));
    }

    [Test]
    public void Outside_CI_a_missing_server_skips_the_tests_with_the_reason()
    {
        var skip = Assert.Throws<IgnoreException>(() => ClusterSetUp.Unavailable("no initdb", isCi: false));

        Assert.That(skip!.Message, Does.Contain("no initdb"));
    }

    [Test]
    public void Under_CI_a_missing_server_fails_the_tests()
    {
        var failure = Assert.Throws<AssertionException>(() => ClusterSetUp.Unavailable("no initdb", isCi: true));

        Assert.That(failure!.Message, Does.Contain("no initdb").And.Contain("CI=true"));
    }
}
