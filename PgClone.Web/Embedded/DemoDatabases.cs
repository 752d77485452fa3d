using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.LocalServer;
using PgClone.Web.Connections;

namespace PgClone.Web.Embedded;

/// <summary>
/// On the embedded server only, and once: a demo source database with realistic fake data, an empty demo
/// target, and a connection for each, so a newcomer can run a clone straight away.
/// </summary>
public sealed class DemoDatabases(ConnectionService connections, ILogger<DemoDatabases> logger)
{
    public const string SourceDatabase = "pgclone_demo_source";
    public const string TargetDatabase = "pgclone_demo_target";
    public const string SourceConnection = "demo-source";
    public const string TargetConnection = "demo-target";
    private const string CreatedBy = "pgclone";

    public async Task EnsureAsync(LocalCluster cluster, CancellationToken ct)
    {
        if (!await EmbeddedServer.CreateDatabaseIfMissingAsync(cluster, SourceDatabase, ct)) return;
        try { await PopulateAsync(cluster.ConnectionString(SourceDatabase), ct); }
        catch
        {
            // Dropped so the next start tries again from scratch instead of keeping a half-filled demo.
            await EmbeddedServer.ExecAsync(cluster, $"DROP DATABASE IF EXISTS {Sql.Ident(SourceDatabase)}", CancellationToken.None);
            throw;
        }
        await EmbeddedServer.CreateDatabaseIfMissingAsync(cluster, TargetDatabase, ct);

        var existing = (await connections.ListAsync(ct)).Select(c => c.Name).ToHashSet();
        foreach (var (name, db) in new[] { (SourceConnection, SourceDatabase), (TargetConnection, TargetDatabase) })
            if (!existing.Contains(name))
                await connections.AddAsync(new NewConnection(name, "127.0.0.1", cluster.Port, db, LocalCluster.Superuser, cluster.Password, SslMode.Disable), CreatedBy, ct);
        logger.LogInformation("Created the demo databases {Source} and {Target} and their connections", SourceDatabase, TargetDatabase);
    }

    private static async Task PopulateAsync(string cs, CancellationToken ct)
    {
        await using var stream = typeof(DemoDatabases).Assembly.GetManifestResourceStream("PgClone.Web.Embedded.DemoSource.sql")
            ?? throw new InvalidOperationException("DemoSource.sql is not embedded");
        var sql = await new StreamReader(stream).ReadToEndAsync(ct);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand(sql, conn, tx)) await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }
}
