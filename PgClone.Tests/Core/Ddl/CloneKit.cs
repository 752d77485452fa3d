using System.Diagnostics;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>What the DDL tests share: loading fixture SQL, running a clone, and comparing two databases.</summary>
internal static class CloneKit
{
    /// <summary>Runs a fixture file through psql (Npgsql would split a BEGIN ATOMIC body at its semicolons).</summary>
    public static Task LoadAsync(string cs, string fixtureFile) =>
        RunAsync("/usr/bin/psql", cs, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", Path.Combine(AppContext.BaseDirectory, "Core", "Ddl", fixtureFile));

    public static CloneRequest Request(TestDatabases db, CloneOperation op, string? schema = null, string? table = null, CloneOptions? options = null) =>
        new(op, ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target), schema, table, options);

    public static Task<CloneResult> CloneAsync(TestDatabases db, CloneOperation op, string? schema = null, string? table = null, CloneOptions? options = null) =>
        new CloneEngine().RunAsync(Request(db, op, schema, table, options));

    /// <summary>Plans a request the way the engine does: source inside a REPEATABLE READ READ ONLY snapshot, search_path = pg_catalog.</summary>
    public static async Task<ClonePlan> PlanAsync(CloneRequest request, IColumnMasker? masker = null)
    {
        await using var source = new NpgsqlConnection(request.Source.ConnectionString);
        await source.OpenAsync();
        await using (var begin = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = pg_catalog", source))
            await begin.ExecuteNonQueryAsync();
        await using var target = new NpgsqlConnection(request.Target.ConnectionString);
        await target.OpenAsync();
        return await ClonePlanner.PlanAsync(request, source, target, masker, CancellationToken.None);
    }

    /// <summary>pg_dump --schema-only, without the two header lines that name the server and client versions.</summary>
    public static async Task<string> DumpAsync(string cs, params string[] args)
    {
        var dump = await RunAsync("/usr/bin/pg_dump", cs, ["--schema-only", .. args]);
        // The version lines and pg_dump's random \restrict key differ between any two runs.
        return string.Join('\n', dump.Split('\n').Where(l =>
            !l.StartsWith("-- Dumped from") && !l.StartsWith("-- Dumped by") && !l.StartsWith("\\restrict ") && !l.StartsWith("\\unrestrict ")));
    }

    /// <summary>Asserts two dumps are equal, showing the first differing lines when they are not.</summary>
    public static void SameDump(string expected, string actual)
    {
        if (expected == actual) return;
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var i = 0;
        while (i < e.Length && i < a.Length && e[i] == a[i]) i++;
        Assert.Fail($"dumps differ at line {i + 1}:\n--- source\n{string.Join('\n', e.Skip(Math.Max(0, i - 3)).Take(12))}\n--- target\n{string.Join('\n', a.Skip(Math.Max(0, i - 3)).Take(12))}");
    }

    private static async Task<string> RunAsync(string tool, string cs, params string[] args)
    {
        var b = new NpgsqlConnectionStringBuilder(cs);
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-h", b.Host!, "-p", b.Port.ToString(), "-U", b.Username!, "-d", b.Database! }.Concat(args))
            psi.ArgumentList.Add(a);
        psi.Environment["PGPASSWORD"] = b.Password;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool}: {await stderr}");
        return await stdout;
    }

    /// <summary>md5 of every table's and materialized view's rows (its own rows only), and every sequence's state, by name.</summary>
    public static async Task<SortedDictionary<string, string>> ChecksumsAsync(string cs, params string[] schemas)
    {
        var relations = await PgServers.RowsAsync(cs, $"""
            SELECT format('%I.%I', n.nspname, c.relname), CASE WHEN c.relispopulated THEN c.relkind::text ELSE 'empty' END FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
              {(schemas.Length == 0 ? "" : $"AND n.nspname IN ({string.Join(", ", schemas.Select(Sql.Literal))})")}
            """);
        var sums = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in relations)
        {
            var name = (string)row[0]!;
            var sql = (string)row[1]! switch
            {
                "S" => $"SELECT last_value || ':' || is_called FROM {name}",
                "empty" => "SELECT 'not populated'",
                _ => $"SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM ONLY {name} t",
            };
            sums[name] = await PgServers.ScalarAsync<string>(cs, sql);
        }
        return sums;
    }
}
