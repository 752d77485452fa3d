using PgClone.Core;
using PgClone.Core.Jobs;

namespace PgClone.Tests.Core.Jobs;

/// <summary>The checkpoint file is private: created 0600, and a shared file or a symbolic link is refused before anything is read or written.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CheckpointFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pgclone-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_new_file_is_created_with_mode_0600()
    {
        var path = Path.Combine(_dir, "run.ckpt");
        await new JsonFileCheckpointStore(path).StepDoneAsync("job1", "index:0", CancellationToken.None);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task A_file_others_may_read_is_refused_and_left_as_it_was()
    {
        var path = Path.Combine(_dir, "shared.ckpt");
        await File.WriteAllTextAsync(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var store = new JsonFileCheckpointStore(path);

        var write = await Assert.ThrowsAsync<PgCloneException>(() => store.StepDoneAsync("job1", "index:0", CancellationToken.None));
        var read = await Assert.ThrowsAsync<PgCloneException>(() => store.LatestAsync(CancellationToken.None));

        var expected = $"checkpoint file {path} can be read or written by other users (mode 644): run chmod 600 on it, or use another file";
        Assert.Equal(expected, write.Message);
        Assert.Equal(expected, read.Message);
        Assert.Equal("", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_symbolic_link_is_refused_and_its_target_untouched()
    {
        var elsewhere = Path.Combine(_dir, "elsewhere");
        await File.WriteAllTextAsync(elsewhere, "precious\n");
        File.SetUnixFileMode(elsewhere, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = Path.Combine(_dir, "link.ckpt");
        File.CreateSymbolicLink(link, elsewhere);

        var e = await Assert.ThrowsAsync<PgCloneException>(() => new JsonFileCheckpointStore(link).StepDoneAsync("job1", "index:0", CancellationToken.None));

        Assert.Equal($"checkpoint file {link} is a symbolic link: refusing to follow it; give the path of a regular file", e.Message);
        Assert.Equal("precious\n", await File.ReadAllTextAsync(elsewhere));
    }

    [Fact]
    public async Task Records_written_at_once_by_many_workers_are_all_on_disk_in_order_per_worker()
    {
        var path = Path.Combine(_dir, "many.ckpt");
        var store = new JsonFileCheckpointStore(path);
        await store.BeginAsync(new JobCheckpoint { JobId = "job1", Request = Request }, CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++) await store.StepDoneAsync("job1", $"index:{w * 100 + i}", CancellationToken.None);
        })));

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(201, lines.Length);
        var steps = (await new JsonFileCheckpointStore(path).LoadAsync("job1", CancellationToken.None))!.Steps;
        Assert.Equal(200, steps.Count);
        // Each worker's records are in the order it made them.
        var order = lines.Skip(1).Select(l => int.Parse(l.Split("index:")[1].TrimEnd('"', '}'), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(Enumerable.Range(0, 8), w => Assert.Equal(Enumerable.Range(w * 100, 25), order.Where(n => n / 100 == w)));
    }

    [Fact]
    public async Task A_last_line_a_crash_cut_short_is_dropped_before_the_next_record()
    {
        var path = Path.Combine(_dir, "torn.ckpt");
        var first = new JsonFileCheckpointStore(path);
        await first.BeginAsync(new JobCheckpoint { JobId = "job1", Request = Request }, CancellationToken.None);
        await first.StepDoneAsync("job1", "index:0", CancellationToken.None);
        await File.AppendAllTextAsync(path, "{\"kind\":\"step\",\"job_id\":\"job1\",\"st");

        var next = new JsonFileCheckpointStore(path);
        await next.StepDoneAsync("job1", "index:1", CancellationToken.None);

        Assert.Equal(3, (await File.ReadAllLinesAsync(path)).Length);
        Assert.Equal(["index:0", "index:1"], (await next.LoadAsync("job1", CancellationToken.None))!.Steps.Order());
    }

    private static readonly CheckpointRequest Request =
        new(CloneOperation.Schema, "src", "Host=src;Database=a", "tgt", "Host=tgt;Database=b", "public", null, "{}");
}
