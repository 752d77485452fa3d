using System.Diagnostics;
using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.Ddl;
using PgClone.Core.Masking;

namespace PgClone.Core.Jobs;

/// <summary>
/// Runs one clone request: reads the source inside one REPEATABLE READ READ ONLY snapshot, plans, then
/// applies the plan to the target. (Sequential first version; the worker pool replaces the data step.)
/// </summary>
public sealed class CloneEngine(Func<CloneRequest, IColumnMasker?>? maskerFactory = null)
{
    public async Task<CloneResult> RunAsync(CloneRequest request, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        await using var source = await OpenAsync(request.Source, ct);
        await ExecAsync(source, request.Source, null, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = pg_catalog", ct);
        await using var target = await OpenAsync(request.Target, ct);
        var plan = await ClonePlanner.PlanAsync(request, source, target, maskerFactory?.Invoke(request), ct);

        foreach (var s in plan.PreData) await ExecAsync(target, request.Target, s.ToString(), s.Sql, ct);
        var tables = new List<TableResult>();
        foreach (var t in plan.Tables)
        {
            var started = Stopwatch.StartNew();
            var bytes = await CopyAsync(source, target, t, ct);
            tables.Add(new TableResult(t.Target, -1, bytes, started.Elapsed));
        }
        foreach (var s in plan.Indexes.Concat(plan.Constraints).Concat(plan.PostData))
            await ExecAsync(target, request.Target, s.ToString(), s.Sql, ct);
        await ExecAsync(source, request.Source, null, "COMMIT", ct);
        return new CloneResult(request.Operation, tables, plan.Skipped, clock.Elapsed);
    }

    private static async Task<long> CopyAsync(NpgsqlConnection source, NpgsqlConnection target, TableData t, CancellationToken ct)
    {
        var select = $"SELECT {string.Join(", ", t.SourceExpressions)} FROM ONLY {t.Source.Quoted}" + (t.Where is null ? "" : $" WHERE {t.Where}");
        await using var reader = await source.BeginRawBinaryCopyAsync($"COPY ({select}) TO STDOUT (FORMAT binary)", ct);
        await using var writer = await target.BeginRawBinaryCopyAsync($"COPY {t.Target.Quoted} ({Sql.IdentList(t.TargetColumns)}) FROM STDIN (FORMAT binary)", ct);
        var counting = new CountingStream(writer);
        await reader.CopyToAsync(counting, 1 << 16, ct);
        return counting.Bytes;
    }

    private static async Task<NpgsqlConnection> OpenAsync(ServerEndpoint server, CancellationToken ct)
    {
        var conn = new NpgsqlConnection(server.ConnectionString);
        try { await conn.OpenAsync(ct); }
        catch (Exception e) when (e is NpgsqlException or TimeoutException) { await conn.DisposeAsync(); throw PgCloneException.FromDriver(server, null, e); }
        return conn;
    }

    private static async Task ExecAsync(NpgsqlConnection conn, ServerEndpoint server, string? objectName, string sql, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(server, objectName, e); }
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Bytes { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Bytes; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { Bytes += count; inner.Write(buffer, offset, count); }
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Bytes += buffer.Length;
            await inner.WriteAsync(buffer, ct);
        }
    }
}
