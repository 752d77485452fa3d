using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// A large object is created empty under its own oid before the data (as pg_dump does), with its owner, privileges
/// and comment; its bytes are streamed after the tables' (<see cref="Copying.LargeObjectCopier"/>).
/// </summary>
internal static class LargeObjectDdl
{
    /// <param name="cannotOwn">Why the cloning user cannot give an object to a role or act as it (<see cref="TargetState.CannotActAs"/>).</param>
    public static IEnumerable<string> Create(LargeObjectInfo lo, string currentUser, Func<string, bool> roleExists, Func<string, string?> cannotOwn, List<string> skipped)
    {
        var oid = Sql.Literal(lo.Oid);
        yield return $"SELECT pg_catalog.lo_create({oid})";
        if (lo.Owner != currentUser)
        {
            if (cannotOwn(lo.Owner) is not { } gap) yield return $"ALTER LARGE OBJECT {oid} OWNER TO {Sql.Ident(lo.Owner)}";
            else skipped.Add($"large object {oid}: owner role {Sql.Ident(lo.Owner)} {gap}");
        }
        foreach (var change in lo.Privileges)
        {
            if (change.Grantee is { } role && !roleExists(role)) { skipped.Add($"large object {oid}: role {Sql.Ident(role)} is not on the target"); continue; }
            var grantee = change.Grantee is null ? "PUBLIC" : Sql.Ident(change.Grantee);
            if (!change.Grant) { yield return $"REVOKE {change.Privilege} ON LARGE OBJECT {oid} FROM {grantee}"; continue; }
            var grant = $"GRANT {change.Privilege} ON LARGE OBJECT {oid} TO {grantee}{(change.Grantable ? " WITH GRANT OPTION" : "")}";
            // A holder of the grant option passed it on: granted as that role, so the target records the same grantor.
            if (change.Grantor is null) yield return grant;
            else if (cannotOwn(change.Grantor) is { } cannot)
            {
                skipped.Add($"large object {oid}: grant to {grantee} made with the owner as grantor: grantor role {Sql.Ident(change.Grantor)} {cannot}");
                yield return grant;
            }
            else yield return Sql.AsRole(change.Grantor, grant);
        }
        if (lo.Comment is not null) yield return $"COMMENT ON LARGE OBJECT {oid} IS {Sql.Literal(lo.Comment)}";
    }
}
