using Testcontainers.PostgreSql;

namespace PgClone.Tests.Fixtures;

/// <summary>The source and target servers as two postgres:15 containers, tuned like the local clusters.</summary>
internal static class ContainerServers
{
    public static async Task<(string Source, string Target)> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var containers = await Task.WhenAll(StartOneAsync(settings), StartOneAsync(settings));
        // Testcontainers' reaper removes them too if this process dies first.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            Task.WhenAll(containers.Select(c => c.DisposeAsync().AsTask())).Wait(TimeSpan.FromSeconds(20));
        return (Admin(containers[0]), Admin(containers[1]));
    }

    private static async Task<PostgreSqlContainer> StartOneAsync(IReadOnlyDictionary<string, string> settings)
    {
        var container = new PostgreSqlBuilder("postgres:15")
            .WithUsername("postgres").WithPassword($"pgclone-{Guid.NewGuid():N}").WithDatabase("postgres")
            .WithCommand(settings.SelectMany(s => new[] { "-c", $"{s.Key}={s.Value}" }).ToArray())
            .Build();
        await container.StartAsync();
        return container;
    }

    private static string Admin(PostgreSqlContainer c) => c.GetConnectionString();
}
