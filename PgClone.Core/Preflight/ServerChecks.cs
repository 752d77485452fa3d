using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Preflight;

/// <summary>Who and what each server is: version, user, superuser.</summary>
internal sealed record ServerFacts(int VersionNum, string Version, string User, bool Superuser)
{
    public int Major => VersionNum / 10000;

    public static async Task<ServerFacts> ReadAsync(NpgsqlConnection conn, ServerEndpoint server, CancellationToken ct)
    {
        var row = await PreflightSql.RowAsync(conn, server, """
            SELECT pg_catalog.current_setting('server_version_num')::int, pg_catalog.current_setting('server_version'), current_user::text,
                   (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
            """, r => new ServerFacts(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetBoolean(3)), ct);
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

    public static PreflightCheck Superuser(ServerFacts target) => target.Superuser
        ? new PreflightCheck("privilege.superuser", PreflightStatus.Ok, $"target user {target.User} is a superuser: owners and privileges are set as on the source")
        : new PreflightCheck("privilege.superuser", PreflightStatus.Warning,
            $"target user {target.User} is not a superuser: objects can only be given to roles it is a member of, and role passwords " +
            "cannot be cloned (pgclone roles --no-passwords)");
}
