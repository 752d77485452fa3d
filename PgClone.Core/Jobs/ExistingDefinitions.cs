using System.Text.RegularExpressions;
using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>
/// When an index or constraint step fails because an object of its name already exists (an earlier job's step
/// took effect but was never recorded, e.g. a checkpoint whose pending record is lost or too old), compares what
/// exists with what the step would create: pg_get_indexdef / pg_get_constraintdef, rendered with
/// search_path = pg_catalog as the planner's definitions are, compared after the name. The same definition means
/// the step is done; another definition is refused with a message naming the object. Attaching a key's index
/// (ADD CONSTRAINT ... USING INDEX) again fails on the index, already tied to a constraint: done when that is
/// the step's key (same kind, same name, on its index).
/// </summary>
internal static partial class ExistingDefinitions
{
    private static readonly HashSet<string> AlreadyExists =
        [PostgresErrorCodes.DuplicateTable, PostgresErrorCodes.DuplicateObject, PostgresErrorCodes.InvalidTableDefinition];

    /// <summary>True when <paramref name="error"/> says the step's object exists and it has the step's definition.</summary>
    public static async Task<bool> AlreadyDoneAsync(NpgsqlConnection conn, ServerEndpoint server, DdlStatement step, PgCloneException error, CancellationToken ct)
    {
        if (error.InnerException is not PostgresException pg || step.Table is not { } table) return false;
        if (!AlreadyExists.Contains(pg.SqlState) && !(step.UsingIndex && pg.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState)) return false;
        var first = step.Sql.Split(";\n", 2)[0];
        string? sql = null, name = null, planned = null;
        if (CreateIndex().Match(first) is { Success: true } ci && ci.Groups["rest"].Value.StartsWith(table.Quoted, StringComparison.Ordinal))
        {
            name = Unquote(ci.Groups["name"].Value);
            planned = ci.Groups["unique"].Value + ci.Groups["only"].Value + ci.Groups["rest"].Value[table.Quoted.Length..];
            sql = "SELECT pg_catalog.pg_get_indexdef(i.indexrelid), CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END, " +
                  "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.relname) " +
                  "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_class t ON t.oid = i.indrelid " +
                  "JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace WHERE i.indrelid = $1::pg_catalog.regclass AND c.relname = $2";
        }
        else if (AddConstraint().Match(first) is { Success: true } ac && ac.Groups["table"].Value == table.Quoted)
        {
            name = Unquote(ac.Groups["name"].Value);
            planned = ac.Groups["definition"].Value;
            // A key attached from its index is rendered the way the step writes it (its index's name always quoted).
            var rendered = step.UsingIndex
                ? "CASE c.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' ELSE pg_catalog.pg_get_constraintdef(c.oid) END " +
                  "|| ' USING INDEX \"' || pg_catalog.replace(COALESCE((SELECT i.relname::text FROM pg_catalog.pg_class i WHERE i.oid = c.conindid), ''), '\"', '\"\"') || '\"'"
                : Catalog.CatalogReader.ConstraintDefinition("c");
            sql = $"SELECT {rendered}, '', '' FROM pg_catalog.pg_constraint c WHERE c.conrelid = $1::pg_catalog.regclass AND c.conname = $2";
        }
        if (sql is null) return false;
        var existing = await ReadAsync(conn, server, step, sql, table.Quoted, name!, ct);
        if (existing is not var (definition, unique, renderedTable)) return false;
        var actual = renderedTable.Length == 0 ? definition : Normalise(definition, unique, renderedTable);
        if (actual == planned) return true;
        throw PgCloneException.For(server, step.ToString(),
            $"already exists with another definition ({definition}); drop or rename it on the target, then resume", error);
    }

    /// <summary>"CREATE UNIQUE INDEX name ON ONLY s.t USING ..." → "UNIQUE ONLY  USING ...", the shape of the planned text.</summary>
    private static string Normalise(string indexdef, string unique, string table)
    {
        var on = indexdef.IndexOf(" ON ", StringComparison.Ordinal);
        if (on < 0) return indexdef;
        var rest = indexdef[(on + 4)..];
        var only = rest.StartsWith("ONLY ", StringComparison.Ordinal) ? "ONLY " : "";
        rest = rest[only.Length..];
        return rest.StartsWith(table, StringComparison.Ordinal) ? unique + only + rest[table.Length..] : indexdef;
    }

    private static async Task<(string, string, string)?> ReadAsync(NpgsqlConnection conn, ServerEndpoint server, DdlStatement step,
        string sql, string table, string name, CancellationToken ct)
    {
        try
        {
            // The planner's definitions were rendered with search_path = pg_catalog (every name qualified).
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using (var set = new NpgsqlCommand(Catalog.CatalogReader.ReadSettings, conn, tx)) await set.ExecuteNonQueryAsync(ct);
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = table });
            cmd.Parameters.Add(new NpgsqlParameter { Value = name });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            return await r.ReadAsync(ct) ? (r.GetString(0), r.GetString(1), r.GetString(2)) : null;
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            throw PgCloneException.FromDriver(server, step.ToString(), e);
        }
    }

    private static string Unquote(string ident) =>
        ident.StartsWith('"') ? ident[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : ident;

    [GeneratedRegex("""^CREATE (?<unique>UNIQUE )?INDEX (?<name>"(?:[^"]|"")*"|[^\s"]+) ON (?<only>ONLY )?(?<rest>.*)$""", RegexOptions.Singleline)]
    private static partial Regex CreateIndex();

    [GeneratedRegex("""^ALTER TABLE (?:ONLY )?(?<table>(?:"(?:[^"]|"")*"|[^\s".]+)\.(?:"(?:[^"]|"")*"|[^\s".]+)) ADD CONSTRAINT (?<name>"(?:[^"]|"")*"|[^\s"]+) (?<definition>.*)$""", RegexOptions.Singleline)]
    private static partial Regex AddConstraint();
}
