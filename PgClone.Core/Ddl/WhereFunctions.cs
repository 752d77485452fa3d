using System.Text.RegularExpressions;
using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// Refuses a row filter that calls a volatile function (pg_terminate_backend, lo_import, nextval, set_config,
/// dblink, random, ...): only immutable and stable functions may run on the source. The server itself says
/// which functions a filter calls: the filter's query is planned (EXPLAIN, never executed) with
/// debug_print_plan sent to this session, and every function id in the plan tree (function calls, the functions
/// behind operators, aggregates, window functions, and the input functions of I/O casts; views and SQL functions
/// appear expanded as the planner sees them) is looked up in pg_proc. A keyword list cannot do this: names can
/// be quoted, schema-qualified, overloaded or hidden behind an operator. The check trusts each function's declared
/// volatility; the source sessions are READ ONLY as well, so a function that lies about it still cannot write.
/// </summary>
public static partial class WhereFunctions
{
    /// <param name="source">a source session inside a transaction (the run's coordinator)</param>
    /// <param name="warmup">readies <paramref name="source"/> to plan reads of the source's tables</param>
    public static async Task CheckAsync(NpgsqlConnection source, ServerEndpoint server, PlannerWarmup warmup, IEnumerable<TableData> tables, CancellationToken ct)
    {
        foreach (var t in tables.Where(t => t.Where is not null))
        {
            var tree = await warmup.ReadAsync(source, server, null, () => PlanTreeAsync(source, server, t, ct), ct);
            var functions = FunctionId().Matches(tree).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToArray();
            var ioTypes = ResultType().Matches(tree).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToArray();
            var volatileOnes = await VolatileAsync(source, server, functions, ioTypes, ct);
            if (volatileOnes.Count > 0)
                throw PgCloneException.For(server, $"table {t.Source}",
                    $"where filter rejected: it calls {string.Join(", ", volatileOnes)}, which {(volatileOnes.Count == 1 ? "is" : "are")} volatile " +
                    "(may write or act on the server); only immutable and stable functions are allowed");
        }
    }

    private static async Task<string> PlanTreeAsync(NpgsqlConnection source, ServerEndpoint server, TableData t, CancellationToken ct)
    {
        var tree = new System.Text.StringBuilder();
        void OnNotice(object? _, NpgsqlNoticeEventArgs e)
        {
            if (e.Notice.Severity == "LOG" && e.Notice.Detail is { } d) tree.Append(d).Append(' ');
        }
        source.Notice += OnNotice;
        var filterEnd = int.MaxValue;
        try
        {
            // The savepoint puts the settings back; the plan goes to this client only while client_min_messages = log.
            // Npgsql sends each statement on its own: an error's position counts from the start of the EXPLAIN.
            var explain = $"EXPLAIN SELECT 1 FROM ONLY {t.Source.Quoted} WHERE (";
            filterEnd = explain.Length + t.Where!.Length;
            await using var cmd = new NpgsqlCommand(
                $"SAVEPOINT pgclone_where; {PlannedRead.UserSearchPath}; SET LOCAL debug_print_plan = on; SET LOCAL debug_pretty_print = off; SET LOCAL client_min_messages = log; " +
                $"{explain}{t.Where}); ROLLBACK TO SAVEPOINT pgclone_where; RELEASE SAVEPOINT pgclone_where", source);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e)
        {
            // An error past the filter's last character is at the parenthesis around it, which the user never typed.
            var message = e.SqlState == PostgresErrorCodes.SyntaxError && e.Position > filterEnd
                ? "syntax error at the end of the filter (is it incomplete?)" : e.MessageText;
            throw PgCloneException.For(server, $"table {t.Source}", $"where filter rejected: {message}", e);
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            throw PgCloneException.FromDriver(server, $"table {t.Source}", e);
        }
        finally { source.Notice -= OnNotice; }
        // The tree's lines are wrapped wherever; one space between tokens makes the patterns simple.
        return Whitespace().Replace(tree.ToString(), " ");
    }

    private static async Task<List<string>> VolatileAsync(NpgsqlConnection source, ServerEndpoint server, long[] functions, long[] ioTypes, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT p.oid::pg_catalog.regprocedure::text FROM pg_catalog.pg_proc p " +
                "WHERE p.provolatile = 'v' AND (p.oid = ANY($1::pg_catalog.oid[]) " +
                "OR p.oid IN (SELECT t.typinput FROM pg_catalog.pg_type t WHERE t.oid = ANY($2::pg_catalog.oid[]))) ORDER BY 1", source);
            cmd.Parameters.Add(new NpgsqlParameter { Value = functions });
            cmd.Parameters.Add(new NpgsqlParameter { Value = ioTypes });
            var names = new List<string>();
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) names.Add(r.GetString(0));
            return names;
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            throw PgCloneException.FromDriver(server, null, e);
        }
    }

    [GeneratedRegex(@":(?:funcid|opfuncid|aggfnoid|winfnoid|hashfuncid|negfuncid) (\d+)")]
    private static partial Regex FunctionId();

    /// <summary>The result types of casts (I/O casts run the type's input function): all of them, to be safe.</summary>
    [GeneratedRegex(@":resulttype (\d+)")]
    private static partial Regex ResultType();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
