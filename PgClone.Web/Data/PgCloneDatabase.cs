using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PgClone.Core;

namespace PgClone.Web.Data;

/// <summary>
/// Where the console's own database lives: ConnectionStrings:PgClone when configured, else a database on the
/// embedded server, known only once that server runs.
/// </summary>
public sealed class PgCloneDatabase(IConfiguration configuration)
{
    public const string ConnectionStringName = "PgClone";
    public const string EmbeddedDatabaseName = "pgclone";
    private string? _connectionString;

    public string? ConfiguredConnectionString => configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs ? cs : null;
    public bool IsEmbedded => ConfiguredConnectionString is null;

    public string ConnectionString
    {
        get => _connectionString ?? ConfiguredConnectionString ?? throw new InvalidOperationException("the embedded PostgreSQL server is not started yet");
        set => _connectionString = value;
    }

    /// <summary>Applies pending migrations (creating the database when missing); errors become one line.</summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        NpgsqlConnectionStringBuilder target;
        try { target = new NpgsqlConnectionStringBuilder(ConnectionString); }
        catch (ArgumentException e)
        {
            throw new PgCloneException($"ConnectionStrings:{ConnectionStringName} is not a valid connection string: {e.Message}", e);
        }
        // Unlogged: on an empty database EF first probes a history table that does not exist yet and would log
        // that as a failed command; real failures surface as the one-line error below.
        await using var db = new PgCloneDbContext(new DbContextOptionsBuilder<PgCloneDbContext>()
            .UseNpgsql(ConnectionString).UseLoggerFactory(NullLoggerFactory.Instance).Options);
        try { await db.Database.MigrateAsync(ct); }
        catch (Exception e) when (e is NpgsqlException || e.InnerException is NpgsqlException)
        {
            var error = e as NpgsqlException ?? (NpgsqlException)e.InnerException!;
            var problem = error switch
            {
                PostgresException pg => pg.MessageText,
                { InnerException: System.Net.Sockets.SocketException s } => "cannot connect: " + s.Message,
                _ => error.Message,
            };
            throw new PgCloneException($"PgClone database '{target.Database}' ({target.Host}:{target.Port}): {problem}", e);
        }
    }

    public static void Configure(IServiceProvider sp, DbContextOptionsBuilder options) =>
        options.UseNpgsql(sp.GetRequiredService<PgCloneDatabase>().ConnectionString);
}
