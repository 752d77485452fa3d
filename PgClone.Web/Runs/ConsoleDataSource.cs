using Npgsql;
using PgClone.Web.Data;

namespace PgClone.Web.Runs;

/// <summary>
/// One Npgsql data source on the console database for what EF does not do: Quartz's job store, LISTEN/NOTIFY and
/// advisory locks. Built on first use, because in embedded mode the connection string is known only once the
/// embedded server runs.
/// </summary>
public sealed class ConsoleDataSource(PgCloneDatabase database) : IAsyncDisposable
{
    private readonly Lazy<NpgsqlDataSource> _source = new(() => NpgsqlDataSource.Create(database.ConnectionString));

    public NpgsqlDataSource Source => _source.Value;

    public string ConnectionString => database.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        if (_source.IsValueCreated) await _source.Value.DisposeAsync();
    }
}
