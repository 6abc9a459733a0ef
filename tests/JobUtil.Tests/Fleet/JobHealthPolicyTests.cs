namespace JobUtil.Tests.Fleet;

/// <summary>The policy on its own: one summary in, one state out, at a given time.</summary>
public class JobHealthPolicyTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static JobSummary Job(
        string name = "etl",
        JobStatus? lastStatus = null,
        DateTimeOffset? lastSuccess = null,
        int running = 0,
        DateTimeOffset? oldestRunning = null,
        DateTimeOffset? heartbeat = null,
        int failures = 0,
        string? message = null)
    {
        var status = lastStatus ?? JobStatus.Success;
        var last = new JobRecord(1, name, Now.AddHours(-1), status == JobStatus.InProgress ? null : Now.AddMinutes(-50), message, status, 1, "s", "d");
        return new JobSummary(name, last, lastSuccess?.AddMinutes(-5), lastSuccess, running, oldestRunning, heartbeat, failures);
    }

    [Test]
    public void A_recent_success_is_healthy()
    {
        var health = new JobHealthPolicy { DefaultMaxAge = TimeSpan.FromHours(26) }.Evaluate(Job(lastSuccess: Now.AddHours(-2)), Now);
        Assert.Multiple(() =>
        {
            Assert.That(health.State, Is.EqualTo(JobHealthState.Healthy));
            Assert.That(health.IsHealthy, Is.True);
            Assert.That(health.Reason, Is.EqualTo("last success 2h ago"));
        });
    }

    [Test]
    public void A_success_older_than_the_maximum_age_is_late()
    {
        var health = new JobHealthPolicy { DefaultMaxAge = TimeSpan.FromHours(26) }.Evaluate(Job(lastSuccess: Now.AddHours(-27)), Now);
        Assert.Multiple(() =>
        {
            Assert.That(health.State, Is.EqualTo(JobHealthState.Late));
            Assert.That(health.IsHealthy, Is.False);
            Assert.That(health.Reason, Is.EqualTo("no success for 1d 3h (last at 2024-02-29 09:00:00Z; max age 1d 2h)"));
        });
    }

    [Test]
    public void A_job_s_own_maximum_age_overrides_the_default()
    {
        var policy = new JobHealthPolicy { DefaultMaxAge = TimeSpan.FromHours(26), MaxAges = { ["weekly"] = TimeSpan.FromDays(7) } };
        Assert.Multiple(() =>
        {
            Assert.That(policy.Evaluate(Job("weekly", lastSuccess: Now.AddDays(-3)), Now).State, Is.EqualTo(JobHealthState.Healthy));
            Assert.That(policy.Evaluate(Job("daily", lastSuccess: Now.AddDays(-3)), Now).State, Is.EqualTo(JobHealthState.Late));
            Assert.That(policy.MaxAgeFor("weekly"), Is.EqualTo(TimeSpan.FromDays(7)));
            Assert.That(policy.MaxAgeFor("daily"), Is.EqualTo(TimeSpan.FromHours(26)));
        });
    }

    [Test]
    public void Without_a_maximum_age_an_old_success_is_healthy()
        => Assert.That(new JobHealthPolicy().Evaluate(Job(lastSuccess: Now.AddDays(-300)), Now).State, Is.EqualTo(JobHealthState.Healthy));

    [Test]
    public void Failures_since_the_last_success_are_failing_with_their_count_and_the_last_message()
    {
        var health = new JobHealthPolicy().Evaluate(Job(lastStatus: JobStatus.Error, lastSuccess: Now.AddHours(-3), failures: 2, message: "connection refused\nat line 3"), Now);
        Assert.Multiple(() =>
        {
            Assert.That(health.State, Is.EqualTo(JobHealthState.Failing));
            Assert.That(health.Reason, Is.EqualTo("2 consecutive failures since the last success at 2024-03-01 09:00:00Z: connection refused at line 3"));
        });
    }

    [Test]
    public void A_run_in_progress_longer_than_the_maximum_runtime_is_running_too_long()
    {
        var policy = new JobHealthPolicy { MaxRuntime = TimeSpan.FromHours(2) };
        Assert.Multiple(() =>
        {
            var health = policy.Evaluate(Job(lastStatus: JobStatus.InProgress, lastSuccess: Now.AddHours(-4), running: 1, oldestRunning: Now.AddHours(-3)), Now);
            Assert.That(health.State, Is.EqualTo(JobHealthState.RunningTooLong));
            Assert.That(health.Reason, Does.StartWith("a run has been in progress for 3h"));
            Assert.That(policy.Evaluate(Job(lastStatus: JobStatus.InProgress, lastSuccess: Now.AddHours(-4), running: 1, oldestRunning: Now.AddHours(-1)), Now).State, Is.EqualTo(JobHealthState.Healthy));
            Assert.That(new JobHealthPolicy().Evaluate(Job(lastStatus: JobStatus.InProgress, lastSuccess: Now.AddHours(-4), running: 1, oldestRunning: Now.AddDays(-3)), Now).State, Is.EqualTo(JobHealthState.Healthy), "no maximum runtime, not checked");
        });
    }

    [Test]
    public void A_run_in_progress_with_an_old_heartbeat_is_stale()
    {
        var policy = new JobHealthPolicy { StaleHeartbeatAfter = TimeSpan.FromMinutes(10) };
        Assert.Multiple(() =>
        {
            var stale = policy.Evaluate(Job(lastStatus: JobStatus.InProgress, lastSuccess: Now.AddHours(-4), running: 1, oldestRunning: Now.AddMinutes(-30), heartbeat: Now.AddMinutes(-20)), Now);
            Assert.That(stale.State, Is.EqualTo(JobHealthState.Stale));
            Assert.That(stale.Reason, Does.StartWith("in progress with no heartbeat for 20m"));
            Assert.That(policy.Evaluate(Job(lastStatus: JobStatus.InProgress, lastSuccess: Now.AddHours(-4), running: 1, oldestRunning: Now.AddMinutes(-30), heartbeat: Now.AddMinutes(-5)), Now).State, Is.EqualTo(JobHealthState.Healthy), "a fresh heartbeat");
            Assert.That(policy.Evaluate(Job(lastStatus: JobStatus.InProgress, lastSuccess: Now.AddHours(-4), running: 1, oldestRunning: Now.AddMinutes(-30)), Now).State, Is.EqualTo(JobHealthState.Healthy), "no heartbeat at all");
            Assert.That(new JobHealthPolicy().StaleHeartbeatAfter, Is.EqualTo(TimeSpan.FromMinutes(10)), "the default");
        });
    }

    [Test]
    public void A_job_without_a_success_never_succeeded()
    {
        var health = new JobHealthPolicy { DefaultMaxAge = TimeSpan.FromHours(1) }.Evaluate(Job(lastStatus: JobStatus.Error, failures: 3, message: "bad config"), Now);
        Assert.Multiple(() =>
        {
            Assert.That(health.State, Is.EqualTo(JobHealthState.NeverSucceeded));
            Assert.That(health.Reason, Is.EqualTo("never succeeded; 3 failed runs: bad config"));
        });
    }

    [Test]
    public void The_most_urgent_state_wins()
    {
        var policy = new JobHealthPolicy { DefaultMaxAge = TimeSpan.FromHours(1), MaxRuntime = TimeSpan.FromHours(1), StaleHeartbeatAfter = TimeSpan.FromMinutes(10) };
        var everything = Job(lastStatus: JobStatus.InProgress, lastSuccess: Now.AddDays(-2), running: 1, oldestRunning: Now.AddHours(-3), heartbeat: Now.AddHours(-2), failures: 4);
        Assert.Multiple(() =>
        {
            Assert.That(policy.Evaluate(everything, Now).State, Is.EqualTo(JobHealthState.Stale));
            Assert.That(policy.Evaluate(everything with { StalestHeartbeat = null }, Now).State, Is.EqualTo(JobHealthState.RunningTooLong));
            Assert.That(policy.Evaluate(everything with { StalestHeartbeat = null, OldestRunInProgressStart = Now }, Now).State, Is.EqualTo(JobHealthState.Failing));
            Assert.That(policy.Evaluate(everything with { StalestHeartbeat = null, OldestRunInProgressStart = Now, LastSuccessStart = null, LastSuccessEnd = null }, Now).State, Is.EqualTo(JobHealthState.NeverSucceeded));
            Assert.That(policy.Evaluate(everything with { StalestHeartbeat = null, OldestRunInProgressStart = Now, ConsecutiveFailures = 0 }, Now).State, Is.EqualTo(JobHealthState.Late));
        });
    }

    [Test]
    public void A_threshold_of_zero_or_less_is_refused()
    {
        var policy = new JobHealthPolicy();
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => policy.DefaultMaxAge = TimeSpan.Zero);
            Assert.Throws<ArgumentOutOfRangeException>(() => policy.MaxRuntime = TimeSpan.FromSeconds(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => policy.StaleHeartbeatAfter = TimeSpan.Zero);
            policy.MaxAges["x"] = TimeSpan.Zero;
            Assert.Throws<ArgumentException>(() => policy.Evaluate(Job("x", lastSuccess: Now), Now));
        });
    }
}
