using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Preflight;

/// <summary>Who and what each server is: version, user, superuser, whether it can be written.</summary>
/// <param name="Database">The server's start time and the database's oid: equal on both sides only when they are one database, however reached.</param>
/// <param name="InRecovery">A hot standby: nothing can be written there.</param>
/// <param name="ReadOnly">default_transaction_read_only is on for the session (the database's or the user's setting).</param>
internal sealed record ServerFacts(int VersionNum, string Version, string User, bool Superuser, string Database, bool InRecovery, bool ReadOnly)
{
    public int Major => VersionNum / 10000;

    public static async Task<ServerFacts> ReadAsync(NpgsqlConnection conn, ServerEndpoint server, CancellationToken ct)
    {
        var row = await PreflightSql.RowAsync(conn, server, """
            SELECT pg_catalog.current_setting('server_version_num')::int, pg_catalog.current_setting('server_version'), current_user::text,
                   (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user),
                   pg_catalog.pg_postmaster_start_time()::text || '/' || (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()),
                   pg_catalog.pg_is_in_recovery(), pg_catalog.current_setting('default_transaction_read_only') = 'on'
            """, r => new ServerFacts(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetString(4), r.GetBoolean(5), r.GetBoolean(6)), ct);
        return row;
    }
}

/// <summary>Versions of both servers, and what a target user who is not a superuser cannot do.</summary>
internal static class ServerChecks
{
    public static IEnumerable<PreflightCheck> Versions(ServerFacts source, ServerFacts target)
    {
        if (source.Major > target.Major)
            yield return new PreflightCheck("version", PreflightStatus.Warning,
                $"source runs PostgreSQL {source.Version}, newer than the target's {target.Version}: syntax, types or options new in " +
                $"{source.Major} may not exist in {target.Major}, and such objects fail to create");
        else
            yield return new PreflightCheck("version", PreflightStatus.Ok, $"source PostgreSQL {source.Version}, target PostgreSQL {target.Version}");
    }

    /// <summary>
    /// A clone whose target is its source database (another host name or address for the same server) would drop or
    /// overwrite what it reads (conflict replace), or wait forever for its own read's lock: refused, unless a table or
    /// schema is cloned under another name beside itself.
    /// </summary>
    public static PreflightCheck? SameDatabase(CloneRequest request, ServerFacts source, ServerFacts target)
    {
        if (source.Database != target.Database) return null;
        var renamed = request.Operation is CloneOperation.Table or CloneOperation.Schema && request.EffectiveOptions.TargetName is { } name
            && name != (request.Operation == CloneOperation.Table ? request.Table : request.Schema);
        if (renamed) return null;
        var remedy = request.Operation is CloneOperation.Table or CloneOperation.Schema
            ? $"give the {request.Operation.Name()} another name (target_name), or another target database"
            : "give another target database";
        return new PreflightCheck("connection.same", PreflightStatus.Blocker,
            $"source and target are the same database ({request.Source.Describe()}, {request.Target.Describe()}): the clone would overwrite what it reads; {remedy}");
    }

    /// <summary>
    /// A target that cannot be written (a standby picked by mistake, a database or user set read-only): refused before
    /// the plan, in words of its own rather than the server's on the first statement.
    /// </summary>
    public static PreflightCheck? ReadOnlyTarget(ServerFacts target, ServerEndpoint server) =>
        target.InRecovery
            ? new PreflightCheck("connection.read_only", PreflightStatus.Blocker,
                $"{server.Describe()} is a hot standby, which cannot be written: give its primary, or another target")
            : target.ReadOnly
                ? new PreflightCheck("connection.read_only", PreflightStatus.Blocker,
                    $"{server.Describe()} is read-only for user {target.User} (default_transaction_read_only = on, set for its database or user): " +
                    "turn it off for the clone's user, or give another target")
                : null;

    public static PreflightCheck Superuser(ServerFacts target) => target.Superuser
        ? new PreflightCheck("privilege.superuser", PreflightStatus.Ok, $"target user {target.User} is a superuser: owners and privileges are set as on the source")
        : new PreflightCheck("privilege.superuser", PreflightStatus.Warning,
            $"target user {target.User} is not a superuser: objects can only be given to roles it is a member of, and role passwords " +
            "cannot be cloned (pgclone roles --no-passwords)");
}
