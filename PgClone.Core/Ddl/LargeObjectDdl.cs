using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// A large object is created empty under its own oid before the data (as pg_dump does), with its owner, privileges
/// and comment; its bytes are streamed after the tables' (<see cref="Copying.LargeObjectCopier"/>).
/// </summary>
internal static class LargeObjectDdl
{
    /// <param name="cannotOwn">Why the cloning user cannot give an object to a role (<see cref="TargetState.CannotActAs"/>).</param>
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
            var parts = change.Split('|');
            if (parts[1].Length > 0 && !roleExists(parts[1])) { skipped.Add($"large object {oid}: role {Sql.Ident(parts[1])} is not on the target"); continue; }
            var grantee = parts[1].Length == 0 ? "PUBLIC" : Sql.Ident(parts[1]);
            yield return parts[0] == "GRANT"
                ? $"GRANT {parts[2]} ON LARGE OBJECT {oid} TO {grantee}{(parts[3] == "t" ? " WITH GRANT OPTION" : "")}"
                : $"REVOKE {parts[2]} ON LARGE OBJECT {oid} FROM {grantee}";
        }
        if (lo.Comment is not null) yield return $"COMMENT ON LARGE OBJECT {oid} IS {Sql.Literal(lo.Comment)}";
    }
}
