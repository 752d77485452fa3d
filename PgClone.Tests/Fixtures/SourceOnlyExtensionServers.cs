namespace PgClone.Tests.Fixtures;

/// <summary>Clusters of their own on which a source database can create an extension that the target cannot install.</summary>
public sealed class SourceOnlyExtensionServers() : ExtensionServers(new Dictionary<string, string>())
{
    /// <summary>
    /// Installs extension <paramref name="name"/> (a function <c>{name}_answer()</c> returning 42) while
    /// <paramref name="create"/> runs, then removes its files: the source has it, the target cannot install it.
    /// </summary>
    public Task WithFakeExtensionAsync(string name, Func<Task> create) => WithExtensionFilesAsync(new Dictionary<string, string>
    {
        [$"{name}.control"] = "default_version = '1.0'\nrelocatable = true\ncomment = 'pgclone test extension'\n",
        [$"{name}--1.0.sql"] = $"CREATE FUNCTION {name}_answer() RETURNS int LANGUAGE sql AS 'SELECT 42';\n",
    }, create);
}
