using System.Net.Sockets;
using System.Text;

namespace PgClone.Tests.Fixtures;

/// <summary>Where the test servers come from, in order of preference.</summary>
public enum TestServerKind
{
    /// <summary>PGCLONE_TEST_SOURCE and PGCLONE_TEST_TARGET name existing servers.</summary>
    Environment,
    /// <summary>Two postgres:15 containers through Testcontainers, when a Docker engine answers.</summary>
    Testcontainers,
    /// <summary>Two throwaway clusters from the installed server binaries.</summary>
    LocalClusters,
}

/// <summary>
/// Picks the test servers: the environment's when both variables are set, else containers when Docker answers,
/// else local clusters. The decision is a pure function of its inputs; only <see cref="DockerAnswersAsync"/> looks
/// at the machine.
/// </summary>
public static class TestServerChoice
{
    public static TestServerKind Choose(string? source, string? target, bool dockerAnswers) =>
        !string.IsNullOrWhiteSpace(source) && !string.IsNullOrWhiteSpace(target) ? TestServerKind.Environment
        : dockerAnswers ? TestServerKind.Testcontainers
        : TestServerKind.LocalClusters;

    /// <summary>The one line a test run prints at start.</summary>
    public static string Describe(TestServerKind kind) => kind switch
    {
        TestServerKind.Environment => "PgClone tests: using the servers named by PGCLONE_TEST_SOURCE and PGCLONE_TEST_TARGET",
        TestServerKind.Testcontainers => "PgClone tests: using two postgres:15 containers (Testcontainers; a Docker engine answered)",
        _ => "PgClone tests: using two throwaway PostgreSQL clusters from the installed server binaries (no Docker engine answered)",
    };

    /// <summary>
    /// Where the Docker engine would listen: DOCKER_HOST (unix:// or tcp://), else the default socket when it
    /// exists; null when there is nothing to ask.
    /// </summary>
    public static Uri? DockerEndpoint(string? dockerHost, bool defaultSocketExists) =>
        !string.IsNullOrWhiteSpace(dockerHost) && Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" ? uri
        : string.IsNullOrWhiteSpace(dockerHost) && defaultSocketExists ? new Uri("unix:///var/run/docker.sock")
        : null;

    /// <summary>Sends the engine's <c>GET /_ping</c> and waits briefly for "OK"; any failure means no Docker.</summary>
    public static async Task<bool> DockerAnswersAsync(Uri? endpoint, TimeSpan timeout)
    {
        if (endpoint is null) return false;
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            using var socket = endpoint.Scheme == "unix"
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            if (endpoint.Scheme == "unix") await socket.ConnectAsync(new UnixDomainSocketEndPoint(endpoint.AbsolutePath), cancel.Token);
            else await socket.ConnectAsync(endpoint.Host, endpoint.Port, cancel.Token);
            await socket.SendAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray(), cancel.Token);
            var buffer = new byte[512];
            var read = await socket.ReceiveAsync(buffer, cancel.Token);
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("HTTP/1.", StringComparison.Ordinal) && answer.Contains(" 200 ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return false;
        }
    }
}
