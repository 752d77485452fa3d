using System.Text.Json;
using System.Text.Json.Serialization;
using PgClone.Core.Ddl;

namespace PgClone.Core.Jobs;

/// <summary>
/// Checkpoints in one file as JSON lines: a "begin" record per job, then one small record per event (plan,
/// table copied, step done, finish), each appended and flushed to disk, so recording a step costs one short
/// write however large the job. Loading replays the lines. No secret is written: connection strings are stored
/// without their password (a resume reads it from PGPASSWORD, a pgpass file or its own connection options).
/// The file is still private (it names servers, users and tables): it is created exclusively with mode 0600, and
/// a symbolic link or an existing file that its group or others may read or write is refused.
/// </summary>
public sealed partial class JsonFileCheckpointStore : ICheckpointStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        TypeInfoResolver = LineJson.Default,
    };

    [JsonSerializable(typeof(Line))]
    private sealed partial class LineJson : JsonSerializerContext;

    private readonly GroupCommit<byte[]> _lines;
    private bool _tailChecked;

    public JsonFileCheckpointStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _lines = new GroupCommit<byte[]>(WriteAsync);
    }

    public string Path { get; }

    private sealed record Line(string Kind, string JobId)
    {
        public JobCheckpoint? Job { get; init; }
        public ClonePlan? Plan { get; init; }
        public TableCheckpoint? Table { get; init; }
        public string? Step { get; init; }
        public PendingStep? Pending { get; init; }
        public JobStatus? Status { get; init; }
        public string? Error { get; init; }
    }

    public Task BeginAsync(JobCheckpoint job, CancellationToken ct) =>
        AppendAsync(new Line("begin", job.JobId) { Job = job with { Request = job.Request.WithoutSecrets() } }, ct);
    public Task SavePlanAsync(string jobId, ClonePlan plan, CancellationToken ct) => AppendAsync(new Line("plan", jobId) { Plan = plan }, ct);
    public Task TableCopiedAsync(string jobId, TableCheckpoint table, CancellationToken ct) => AppendAsync(new Line("table", jobId) { Table = table }, ct);
    public Task StepDoneAsync(string jobId, string step, CancellationToken ct) => AppendAsync(new Line("step", jobId) { Step = step }, ct);
    public Task StepPendingAsync(string jobId, PendingStep step, CancellationToken ct) => AppendAsync(new Line("pending", jobId) { Pending = step }, ct);
    public Task FinishAsync(string jobId, JobStatus status, string? error, CancellationToken ct) => AppendAsync(new Line("finish", jobId) { Status = status, Error = error }, ct);

    public async Task<JobCheckpoint?> LoadAsync(string jobId, CancellationToken ct) =>
        (await ReplayAsync(ct)).Jobs.GetValueOrDefault(jobId);

    public async Task<JobCheckpoint?> LatestAsync(CancellationToken ct)
    {
        var (jobs, latest) = await ReplayAsync(ct);
        return latest is null ? null : jobs[latest];
    }

    /// <summary>Appends a record and returns once it is on disk (with those recorded meanwhile: <see cref="GroupCommit{T}"/>).</summary>
    private Task AppendAsync(Line line, CancellationToken ct) => _lines.AddAsync(JsonText.WriteUtf8(line, Json), ct);

    /// <summary>Lines in one write, each ending with a newline.</summary>
    private async Task WriteAsync(IReadOnlyList<byte[]> lines)
    {
        var buffer = new byte[lines.Sum(l => l.Length + 1)];
        var at = 0;
        foreach (var l in lines)
        {
            l.CopyTo(buffer, at);
            at += l.Length;
            buffer[at++] = (byte)'\n';
        }
        try
        {
            await using var file = OpenForAppend();
            await file.WriteAsync(buffer);
            await file.FlushAsync();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write may have left part of a line: the next one checks the file's end again.
            _tailChecked = false;
            throw new PgCloneException($"checkpoint file {Path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Creates the file (exclusively, 0600) or opens it at its end once it passes <see cref="CheckPrivate"/>. The first
    /// time, a last line a crash cut short is removed (its caller never heard it was written), so that what follows
    /// starts a line of its own.
    /// </summary>
    private FileStream OpenForAppend()
    {
        CheckPrivate();
        var options = FileOptions.WriteThrough;
        if (!File.Exists(Path))
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, Options = options, BufferSize = 0 };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                var created = new FileStream(Path, create);
                _tailChecked = true;
                return created;
            }
            catch (IOException) when (File.Exists(Path)) { CheckPrivate(); /* created meanwhile: append to it */ }
        }
        var file = new FileStream(Path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.Read, Options = options, BufferSize = 0 });
        if (!_tailChecked)
        {
            DropTornLine(file);
            _tailChecked = true;
        }
        file.Seek(0, SeekOrigin.End);
        return file;
    }

    private static void DropTornLine(FileStream file)
    {
        var end = file.Length;
        var one = new byte[1];
        for (var at = end - 1; at >= 0; at--)
        {
            file.Seek(at, SeekOrigin.Begin);
            file.ReadExactly(one);
            if (one[0] != (byte)'\n') continue;
            if (at < end - 1) file.SetLength(at + 1);
            return;
        }
        file.SetLength(0);
    }

    /// <summary>Refuses a symbolic link (it could point anywhere) and a file its group or others may read or write.</summary>
    private void CheckPrivate()
    {
        var info = new FileInfo(Path);
        if (info.LinkTarget is not null)
            throw new PgCloneException($"checkpoint file {Path} is a symbolic link: refusing to follow it; give the path of a regular file");
        if (!info.Exists || OperatingSystem.IsWindows()) return;
        const UnixFileMode shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                    UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = info.UnixFileMode;
        if ((mode & shared) != 0)
            throw new PgCloneException(
                $"checkpoint file {Path} can be read or written by other users (mode {Convert.ToString((int)mode & 0x1FF, 8)}): run chmod 600 on it, or use another file");
    }

    private async Task<(Dictionary<string, JobCheckpoint> Jobs, string? Latest)> ReplayAsync(CancellationToken ct)
    {
        var jobs = new Dictionary<string, JobCheckpoint>(StringComparer.Ordinal);
        string? latest = null;
        CheckPrivate();
        if (!File.Exists(Path)) return (jobs, null);
        string[] lines;
        try { lines = await _lines.AloneAsync(() => File.ReadAllLinesAsync(Path, ct), ct); }
        catch (IOException e) { throw new PgCloneException($"checkpoint file {Path}: {e.Message}", e); }
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            Line? line;
            try { line = JsonText.Read<Line>(lines[i], Json); }
            catch (JsonException e)
            {
                // A crash can leave the last line half-written; anything else is a damaged file.
                if (i == lines.Length - 1) break;
                throw new PgCloneException($"checkpoint file {Path}: line {i + 1} is not valid JSON: {e.Message}", e);
            }
            if (line is null) continue;
            if (line.Kind == "begin" && line.Job is not null) { jobs[line.JobId] = line.Job; latest = line.JobId; continue; }
            if (!jobs.TryGetValue(line.JobId, out var job)) continue;
            switch (line.Kind)
            {
                case "plan": jobs[line.JobId] = job with { Plan = line.Plan }; break;
                case "table" when line.Table is not null: job.Tables[line.Table.Table] = line.Table; break;
                case "step" when line.Step is not null: job.Steps.Add(line.Step); break;
                case "pending" when line.Pending is not null: job.Pending[line.Pending.Step] = line.Pending; break;
                case "finish": jobs[line.JobId] = job with { Status = line.Status ?? job.Status, Error = line.Error }; break;
            }
        }
        return (jobs, latest);
    }
}
