using System.Net.Sockets;

namespace JobUtil.Database.Tests;

/// <summary>The throwaway cluster leaves nothing behind: disposing it stops the server and deletes its folder.</summary>
public class ThrowawayClusterTests
{
    [Test]
    public async Task Disposing_the_cluster_stops_the_server_and_removes_its_folder()
    {
        var cluster = await PostgresCluster.StartAsync(ClusterSetUp.Cluster.Binaries);
        await using (var connection = await cluster.OpenAsync("postgres"))
        {
            Assert.That(await DatabaseErrors.ScalarAsync<int>(connection, "SELECT 1"), Is.EqualTo(1));
        }

        await cluster.DisposeAsync();

        using var client = new TcpClient();
        Assert.Multiple(() =>
        {
            Assert.That(Directory.Exists(cluster.Folder), Is.False, "the cluster's folder");
            Assert.That(() => client.Connect("127.0.0.1", cluster.Port), Throws.InstanceOf<SocketException>(), "the server's port");
        });
    }
}
