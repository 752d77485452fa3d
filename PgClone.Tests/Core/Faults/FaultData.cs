using PgClone.Core.Connections;
using PgClone.Core.Verification;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Faults;

/// <summary>A small schema with every kind of step a clone checkpoints, and the check that a clone of it is whole.</summary>
internal static class FaultData
{
    /// <summary>8 tables (300–2,000 rows), primary keys, a unique key, plain and expression indexes, foreign keys, a CHECK, sequences.</summary>
    public const string Schema = """
        CREATE TABLE parent(id serial PRIMARY KEY, name text UNIQUE NOT NULL, created date DEFAULT '2024-01-01');
        INSERT INTO parent(name) SELECT 'p' || g FROM generate_series(1, 300) g;
        CREATE TABLE child(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, v numeric CHECK (v >= 0));
        INSERT INTO child(parent_id, v) SELECT 1 + g % 300, g / 7.0 FROM generate_series(1, 2000) g;
        CREATE INDEX child_v ON child (v);
        CREATE INDEX child_parent ON child (parent_id);
        CREATE TABLE t1(id int PRIMARY KEY, payload text); INSERT INTO t1 SELECT g, md5(g::text) FROM generate_series(1, 1000) g;
        CREATE TABLE t2(id int PRIMARY KEY, payload text); INSERT INTO t2 SELECT g, md5(g::text) FROM generate_series(1, 900) g;
        CREATE TABLE t3(id int PRIMARY KEY, payload text); INSERT INTO t3 SELECT g, md5(g::text) FROM generate_series(1, 800) g;
        CREATE TABLE t4(id int PRIMARY KEY, payload text); INSERT INTO t4 SELECT g, md5(g::text) FROM generate_series(1, 700) g;
        CREATE TABLE t5(id int PRIMARY KEY, t1_id int REFERENCES t1); INSERT INTO t5 SELECT g, g FROM generate_series(1, 600) g;
        CREATE TABLE t6(id int PRIMARY KEY, t2_id int REFERENCES t2); INSERT INTO t6 SELECT g, g FROM generate_series(1, 500) g;
        CREATE INDEX t1_payload ON t1 (payload);
        CREATE INDEX t2_upper ON t2 (upper(payload));
        CREATE SEQUENCE standalone START 100;
        SELECT setval('standalone', 150);
        """;

    /// <summary>
    /// What is missing or different on the target, by the project's own verify (checksum) and diff, plus every
    /// sequence's value; empty when the clone is whole.
    /// </summary>
    public static async Task<List<string>> DifferencesAsync(TestDatabases db)
    {
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source, "src");
        var target = ServerEndpoint.Parse(ServerRole.Target, db.Target, "tgt");
        var problems = new List<string>();
        var verify = await new TableVerifier().VerifyAsync(source, target, new VerifyOptions { Schema = "public", Mode = VerifyMode.Checksum });
        problems.AddRange(verify.Tables.Where(t => t.Status != VerifyStatus.Match)
            .Select(t => $"table {t.Table}: {t.Status} ({t.SourceRows} vs {t.TargetRows} rows)"));
        var diff = await new SchemaDiffer().DiffAsync(source, target, "public");
        foreach (var c in diff.Categories.Where(c => c.Count > 0))
            problems.Add($"{c.Category}: only in source [{string.Join(", ", c.OnlyInSource)}], only in target [{string.Join(", ", c.OnlyInTarget)}], modified [{string.Join(", ", c.Modified.Select(m => m.Name))}]");
        const string sequences = "SELECT coalesce(string_agg(sequencename || '=' || coalesce(last_value::text, 'null'), ',' ORDER BY sequencename), '') FROM pg_sequences WHERE schemaname = 'public'";
        var (s, t) = (await PgServers.ScalarAsync<string>(db.Source, sequences), await PgServers.ScalarAsync<string>(db.Target, sequences));
        if (s != t) problems.Add($"sequences: source {s}, target {t}");
        return problems;
    }
}
