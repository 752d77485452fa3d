namespace PgClone.Core.Connections;

/// <summary>
/// libpq's connection service file: <c>service=name</c> takes the parameters of section [name] from the file
/// PGSERVICEFILE names (else ~/.pg_service.conf), then from pg_service.conf in PGSYSCONFDIR (else
/// /etc/postgresql-common). Parameters given on the connection string win over the service's.
/// </summary>
internal static class ServiceFile
{
    public static List<KeyValuePair<string, string>> Lookup(string service)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var files = new[]
        {
            Environment.GetEnvironmentVariable("PGSERVICEFILE") ?? Path.Combine(home, ".pg_service.conf"),
            Path.Combine(Environment.GetEnvironmentVariable("PGSYSCONFDIR") ?? "/etc/postgresql-common", "pg_service.conf"),
        };
        foreach (var file in files.Where(File.Exists))
        {
            var section = Section(File.ReadAllLines(file), service);
            if (section is not null) return section;
        }
        throw new FormatException($"definition of service \"{service}\" not found (looked in {string.Join(", ", files)})");
    }

    private static List<KeyValuePair<string, string>>? Section(string[] lines, string service)
    {
        List<KeyValuePair<string, string>>? found = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '[')
            {
                if (found is not null) return found;
                if (line.TrimEnd(']')[1..] == service) found = [];
                continue;
            }
            var eq = line.IndexOf('=');
            if (found is not null && eq > 0) found.Add(new(line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }
        return found;
    }
}
