using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgClone.Tests.Fixtures;
using PgClone.Web.Connections;
using PgClone.Web.Data;

namespace PgClone.Tests.Web.Runs;

/// <summary>A console in this process on Kestrel, with an Operator and two connections (source and target of a test database pair).</summary>
public sealed class RunsConsole : IAsyncDisposable
{
    public const string Operator = "operator@example.com";
    /// <summary>The Auditor a test adds when it needs one (<see cref="AddUserAsync"/>).</summary>
    public const string Auditor = "auditor@example.com";

    public required ConsoleFactory Factory { get; init; }
    public required string Url { get; init; }
    public required int SourceId { get; init; }
    public required int TargetId { get; init; }

    public static Dictionary<string, string> Settings(string consoleDb, int maxRuns = 4) => new()
    {
        ["ConnectionStrings:PgClone"] = consoleDb,
        ["PgClone:MaskingSecret"] = "test-masking-secret",
        ["PgClone:Runs:MaxConcurrentRunsPerInstance"] = maxRuns.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["PgClone:Runs:PollInterval"] = "00:00:01",
        ["PgClone:Runs:QueueRetryInterval"] = "00:00:01",
        ["PgClone:Runs:ClusterCheckinInterval"] = "00:00:02",
        ["PgClone:Runs:ClusterCheckinMisfireThreshold"] = "00:00:02",
        ["PgClone:Runs:StateSaveInterval"] = "00:00:00.300",
    };

    /// <summary>Starts a console; on a fresh console database also adds the Operator and the two connections.</summary>
    public static async Task<RunsConsole> StartAsync(Dictionary<string, string> settings, TestDatabases data, bool seed = true)
    {
        var factory = new ConsoleFactory(settings);
        var url = factory.StartKestrel();
        int source, target;
        var connections = factory.Services.GetRequiredService<ConnectionService>();
        if (seed)
        {
            await Security.ConsoleUsers.AddAsync(factory, Operator, AppRoles.Operator, RunsTestBed.Password);
            source = (await connections.AddAsync(New("source db", data.Source), Operator)).Id;
            target = (await connections.AddAsync(New("target db", data.Target), Operator)).Id;
            // Operators use the connections an Admin granted them: source on one side, target on the other.
            await connections.SetRightsAsync(source, new ConnectionRights([AppRoles.Operator], [], [], []));
            await connections.SetRightsAsync(target, new ConnectionRights([], [], [AppRoles.Operator], []));
        }
        else
        {
            var all = await connections.ListAsync();
            source = all.Single(c => c.Name == "source db").Id;
            target = all.Single(c => c.Name == "target db").Id;
        }
        return new RunsConsole { Factory = factory, Url = url, SourceId = source, TargetId = target };
    }

    public static NewConnection New(string name, string cs)
    {
        var b = new NpgsqlConnectionStringBuilder(cs);
        return new NewConnection(name, b.Host!, b.Port, b.Database!, b.Username!, b.Password, SslMode.Disable);
    }

    /// <summary>Adds a console user with one role, logging in with the test password.</summary>
    public Task AddUserAsync(string email, string role) => Security.ConsoleUsers.AddAsync(Factory, email, role, RunsTestBed.Password);

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
