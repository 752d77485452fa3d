using PgClone.Core.LocalServer;

namespace PgClone.Tests.Fixtures;

/// <summary>
/// Clusters that can CREATE EXTENSION the test extensions given here, which the installed server cannot load
/// (PostgreSQL 15 reads extensions only from its own share directory). They run from a private copy of the
/// installation: the server programs copied (a server finds its share directory relative to its real path), its
/// libraries and shared files linked, and an extension directory of links plus the given files.
/// </summary>
public abstract class ExtensionServers(IReadOnlyDictionary<string, string> extensionFiles) : PrivateServers(new Dictionary<string, string>
{
    ["fsync"] = "off", ["synchronous_commit"] = "off", ["full_page_writes"] = "off", ["max_connections"] = "100", ["shared_buffers"] = "32MB",
})
{
    private string? _extensions;

    /// <summary>
    /// Runs <paramref name="action"/> while these extension files are installed as well, then removes them: what the
    /// source creates meanwhile is then an extension the target cannot install.
    /// </summary>
    public async Task WithExtensionFilesAsync(IReadOnlyDictionary<string, string> files, Func<Task> action)
    {
        var directory = _extensions ?? throw new InvalidOperationException("the servers are not started");
        var written = files.ToDictionary(f => Path.Combine(directory, f.Key), f => f.Value);
        try
        {
            foreach (var (path, text) in written) await File.WriteAllTextAsync(path, text);
            await action();
        }
        finally
        {
            foreach (var path in written.Keys) File.Delete(path);
        }
    }

    protected override async Task<string[]?> BinariesAsync()
    {
        // initdb may be a link on PATH (/usr/local/bin/initdb): the installation is where it really is.
        var initdb = new FileInfo(Path.Combine(LocalCluster.FindBinaries(), "initdb"));
        var installedBin = Path.GetDirectoryName((initdb.ResolveLinkTarget(returnFinalTarget: true) ?? initdb).FullName)!;
        var version = Path.GetFileName(Path.GetDirectoryName(installedBin))!;
        var installedShare = Path.GetFullPath(Path.Combine(installedBin, "..", "..", "..", "..", "share", "postgresql", version));
        if (!Directory.Exists(Path.Combine(installedShare, "extension")))
            throw new InvalidOperationException($"the server's share directory was not found at {installedShare}");
        // …/lib/postgresql/<version>/bin and …/share/postgresql/<version>, as installed.
        var root = Path.Combine(Root, "install");
        var bin = Directory.CreateDirectory(Path.Combine(root, "lib", "postgresql", version, "bin")).FullName;
        foreach (var program in new[] { "postgres", "pg_ctl", "initdb" })
            File.Copy(Path.Combine(installedBin, program), Path.Combine(bin, program));
        File.CreateSymbolicLink(Path.Combine(root, "lib", "postgresql", version, "lib"), Path.GetFullPath(Path.Combine(installedBin, "..", "lib")));
        var share = Directory.CreateDirectory(Path.Combine(root, "share", "postgresql", version)).FullName;
        foreach (var entry in Directory.EnumerateFileSystemEntries(installedShare).Where(e => Path.GetFileName(e) != "extension"))
            File.CreateSymbolicLink(Path.Combine(share, Path.GetFileName(entry)), entry);
        var extensions = _extensions = Directory.CreateDirectory(Path.Combine(share, "extension")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(installedShare, "extension")))
            File.CreateSymbolicLink(Path.Combine(extensions, Path.GetFileName(file)), file);
        foreach (var (name, text) in extensionFiles)
            await File.WriteAllTextAsync(Path.Combine(extensions, name), text);
        return [bin];
    }
}
