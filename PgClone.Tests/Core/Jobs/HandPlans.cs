using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

/// <summary>Plans written by hand, so the executor is tested on exactly the statements a test chooses.</summary>
internal static class HandPlans
{
    public static CloneRequest Request(TestDatabases db, CloneOptions? options = null, string? password = null)
    {
        var source = new Npgsql.NpgsqlConnectionStringBuilder(db.Source);
        if (password is not null) source.Password = password;
        return new CloneRequest(CloneOperation.Schema,
            ServerEndpoint.Parse(ServerRole.Source, source.ConnectionString, "src"),
            ServerEndpoint.Parse(ServerRole.Target, db.Target, "tgt"),
            Schema: "public", Options: options ?? new CloneOptions());
    }

    /// <summary>A table copied column for column; the target table is created by the plan's PreData.</summary>
    public static TableData Table(string name, string[] columns, long estimatedBytes = 8192, string? key = null,
        string[]? expressions = null, string? where = null) =>
        new(new QualifiedName("public", name), new QualifiedName("public", name), columns,
            expressions ?? [.. columns.Select(Sql.Ident)], where, estimatedBytes, 0)
        { CreatedInRun = true, IntegerKeyColumn = key };

    public static DdlStatement Create(string name, string columnsDdl) =>
        new("table", $"\"public\".\"{name}\"", $"CREATE TABLE public.{Sql.Ident(name)} ({columnsDdl})");

    public static PlanProvider Fixed(ClonePlan plan) => (_, _, _, _, _) => Task.FromResult(plan);

    /// <summary>md5 of every row in key order: equal on both sides means the same data.</summary>
    public static Task<string> ChecksumAsync(string cs, string table, string orderBy) =>
        PgServers.ScalarAsync<string>(cs, $"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY {orderBy})), 'empty') FROM {table} t");

    public static async Task<long> JobSessionsAsync(string cs, string jobId) =>
        await PgServers.ScalarAsync<long>(cs, $"SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '%{jobId}%'");

    /// <summary>Waits (up to 30 s: backends notice their client's exit on their own time) until no session of the job remains on the server; returns how many remain.</summary>
    public static async Task<long> SessionsLeftAsync(string cs, string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var left = await JobSessionsAsync(cs, jobId);
            if (left == 0 || DateTime.UtcNow > deadline) return left;
            await Task.Delay(100);
        }
    }

    /// <summary>Polls both servers while a job runs and keeps the largest number of its sessions seen at once.</summary>
    public static async Task<long> MaxSessionsWhileAsync(TestDatabases db, string jobId, Task run)
    {
        long max = 0;
        while (!run.IsCompleted)
        {
            var both = await Task.WhenAll(JobSessionsAsync(db.Source, jobId), JobSessionsAsync(db.Target, jobId));
            max = Math.Max(max, both[0] + both[1]);
            await Task.Delay(20);
        }
        await run;
        return max;
    }
}
