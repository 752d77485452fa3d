using PgClone.Core;
using PgClone.Web.Diff;

namespace PgClone.Tests.Web.Diff;

/// <summary>What a run's diff page says it compares: the run's clone in words, and what verify and drift cover beyond it.</summary>
public sealed class RunScopeTests
{
    [Fact]
    public void Each_kind_of_run_says_what_its_verification_and_drift_cover()
    {
        RunScope Scope(CloneOperation op, string? schema, string? table = null, string? targetSchema = null, string? targetTable = null) =>
            new(7, op, 1, 2, schema, [], DatabaseWide: schema is null, TargetSchema: targetSchema, Table: table, TargetTable: targetTable);

        var database = Scope(CloneOperation.Database, null);
        Assert.Equal(("the whole database", "Verify covers every schema and the large objects; drift compares the schema picked here."), (database.What, database.Coverage));
        var schema = Scope(CloneOperation.Schema, "Sales", targetSchema: "Sales Copy");
        Assert.Equal(("schema \"Sales\" as \"Sales Copy\"", (string?)null), (schema.What, schema.Coverage));
        var table = Scope(CloneOperation.Table, "extra", "tickets", targetTable: "tickets 2");
        Assert.Equal(("table \"extra\".\"tickets\" as \"tickets 2\"",
            "Verify covers that table, its partitions and the sequences it owns; drift compares the whole schema \"extra\", " +
            "so the objects of it that the run did not clone show as missing on the target."), (table.What, table.Coverage));
        var functions = Scope(CloneOperation.Functions, "public");
        Assert.Equal(("the functions of schema \"public\"", "A functions run copied no rows: its drift compares the schema's functions only.", false),
            (functions.What, functions.Coverage, functions.Verifiable));
    }
}
