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
}
