using System.Net;
using System.Net.Sockets;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core;

/// <summary>Which servers a test run uses: the environment's, then Docker containers, then local clusters.</summary>
public sealed class TestServerChoiceTests
{
    [Theory]
    [InlineData("Host=a", "Host=b", true, TestServerKind.Environment)]
    [InlineData("Host=a", "Host=b", false, TestServerKind.Environment)]
    [InlineData("Host=a", null, true, TestServerKind.Testcontainers)]
    [InlineData(" ", "Host=b", true, TestServerKind.Testcontainers)]
    [InlineData(null, null, true, TestServerKind.Testcontainers)]
    [InlineData("Host=a", "", false, TestServerKind.LocalClusters)]
    [InlineData(null, null, false, TestServerKind.LocalClusters)]
    public void Environment_wins_then_docker_then_local_clusters(string? source, string? target, bool docker, TestServerKind expected) =>
        Assert.Equal(expected, TestServerChoice.Choose(source, target, docker));

    [Theory]
    [InlineData("unix:///run/user/1000/docker.sock", false, "unix:///run/user/1000/docker.sock")]
    [InlineData("tcp://10.0.0.2:2375", true, "tcp://10.0.0.2:2375/")]
    [InlineData(null, true, "unix:///var/run/docker.sock")]
    [InlineData("", true, "unix:///var/run/docker.sock")]
    [InlineData(null, false, null)]
    [InlineData("ssh://user@host", true, null)]
    public void Docker_is_asked_where_DOCKER_HOST_or_the_default_socket_says(string? dockerHost, bool socketExists, string? expected) =>
        Assert.Equal(expected, TestServerChoice.DockerEndpoint(dockerHost, socketExists)?.ToString());

    [Fact]
    public async Task Docker_answers_only_when_the_engine_replies_OK_to_ping()
    {
        Assert.False(await TestServerChoice.DockerAnswersAsync(null, TimeSpan.FromSeconds(1)));
        Assert.False(await TestServerChoice.DockerAnswersAsync(new Uri("unix:///nonexistent/docker.sock"), TimeSpan.FromSeconds(1)));

        // A fake engine on TCP answering the ping; then one that says something else; then one that never answers.
        foreach (var (reply, expected) in new[] { ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", true), ("HTTP/1.1 404 Not Found\r\n\r\n", false), (null, false) })
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var givenUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var engine = Task.Run(async () =>
            {
                using var client = await listener.AcceptTcpClientAsync();
                var request = new byte[256];
                var read = await client.GetStream().ReadAsync(request);
                Assert.StartsWith("GET /_ping HTTP/1.0", System.Text.Encoding.ASCII.GetString(request, 0, read));
                if (reply is not null) await client.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes(reply));
                else await givenUp.Task; // silent until the client has stopped waiting
            });
            // An engine that answers is given all the time a loaded machine may need; only the silent one runs out the time.
            var timeout = reply is null ? TimeSpan.FromMilliseconds(700) : TimeSpan.FromSeconds(30);
            Assert.Equal(expected, await TestServerChoice.DockerAnswersAsync(new Uri($"tcp://127.0.0.1:{port}"), timeout));
            givenUp.TrySetResult();
            await engine;
        }
    }

    [Fact]
    public void Each_choice_is_described_in_one_line() =>
        Assert.All(Enum.GetValues<TestServerKind>(), k => Assert.Matches(@"^PgClone tests: using [^\n]+$", TestServerChoice.Describe(k)));
}
