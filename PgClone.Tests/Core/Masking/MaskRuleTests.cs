using System.Text.Json.Nodes;
using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;
using PgClone.Core.Masking;

namespace PgClone.Tests.Core.Masking;

/// <summary>Rule parsing per clone scope, the factory, and the refusals that happen before any row is copied.</summary>
public sealed class MaskRuleTests
{
    private static readonly ServerEndpoint Source = new(ServerRole.Source, "prod", "Host=db.example;Port=5432;Database=hr");
    private static readonly ServerEndpoint Target = new(ServerRole.Target, "dev", "Host=dev.example;Port=5433;Database=hr");
    private static readonly QualifiedName Employees = new("public", "employees");

    private static CloneRequest Request(CloneOperation op, string options, string? schema = "public", string? table = null) =>
        new(op, Source, Target, schema, table, CloneOptions.Parse(options));

    private static IColumnMasker Masker(CloneOperation op, string options, string? schema = "public", string? table = null) =>
        MaskingFactory.Create(Request(op, options, schema, table), MaskSql.Secret)!;

    private static MaskColumn Col(QualifiedName table, string column, string type, bool pk = false, bool unique = false, bool fk = false) =>
        new(table, column, type, pk, unique, fk);

    [Fact]
    public void No_rules_and_no_gate_means_no_masker()
    {
        Assert.Null(MaskingFactory.Create(Request(CloneOperation.Table, "{}", table: "employees"), MaskSql.Secret));
        Assert.Null(MaskingFactory.Create(Request(CloneOperation.Table, """{"mask": {}}""", table: "employees"), MaskSql.Secret));
        Assert.NotNull(MaskingFactory.Create(Request(CloneOperation.Table, """{"require_masking": true}""", table: "employees"), MaskSql.Secret));
    }

    [Fact]
    public void Table_scope_rules_are_by_column_and_unlisted_columns_pass_through()
    {
        var masker = Masker(CloneOperation.Table, """{"mask": {"email": "email", "salary": {"type": "random_int", "min": 30000, "max": 150000}}}""", table: "employees");
        Assert.Null(masker.ExpressionFor(Col(Employees, "id", "integer", pk: true)));
        Assert.StartsWith("CAST(CASE WHEN \"email\" IS NULL", masker.ExpressionFor(Col(Employees, "email", "text")));
        Assert.Equal("CAST((30000::bigint + pg_catalog.floor(pg_catalog.random() * 120001)::bigint) AS integer)", masker.ExpressionFor(Col(Employees, "salary", "integer")));
        masker.EnsureAllRulesUsed();
    }

    [Fact]
    public void Schema_scope_is_keyed_by_table_and_database_scope_by_schema_dot_table()
    {
        var schema = Masker(CloneOperation.Schema, """{"mask": {"employees": {"email": "email"}, "hr.people": {"name": "name"}}}""", schema: "public");
        Assert.NotNull(schema.ExpressionFor(Col(Employees, "email", "text")));
        Assert.Null(schema.ExpressionFor(Col(new QualifiedName("public", "customers"), "email", "text")));
        Assert.NotNull(schema.ExpressionFor(Col(new QualifiedName("hr", "people"), "name", "text")));
        schema.EnsureAllRulesUsed();

        var database = Masker(CloneOperation.Database, """{"mask": {"sales.customers": {"email": "hash"}, "employees": {"email": "email"}}}""", schema: null);
        Assert.NotNull(database.ExpressionFor(Col(new QualifiedName("sales", "customers"), "email", "text")));
        Assert.Null(database.ExpressionFor(Col(new QualifiedName("sales", "employees"), "email", "text")));
        var e = Assert.Throws<PgCloneException>(database.EnsureAllRulesUsed);
        Assert.Equal("source 'prod' (db.example:5432): mask rules match no copied column: \"public\".\"employees\".\"email\"", e.Message);
    }

    [Fact]
    public void A_rule_on_a_partitioned_table_masks_its_partitions()
    {
        var masker = Masker(CloneOperation.Schema, """{"mask": {"measurements": {"email": "email"}}}""");
        Assert.Null(masker.ExpressionFor(Col(new QualifiedName("public", "measurements_2024"), "email", "text")));
        Assert.NotNull(masker.ExpressionFor(new MaskColumn(new QualifiedName("public", "measurements_2024"), "email", "text", false, false, false)
            { InheritedFrom = [new QualifiedName("public", "measurements_2024_h1"), new QualifiedName("public", "measurements")] }));
        masker.EnsureAllRulesUsed();
    }

    [Fact]
    public void The_nearest_table_a_column_is_inherited_from_gives_its_rule()
    {
        var masker = Masker(CloneOperation.Schema, """{"mask": {"person": {"name": "null"}, "emp": {"name": {"type": "constant", "value": "x"}}}}""");
        var column = new MaskColumn(new QualifiedName("public", "stud_emp"), "name", "text", false, false, false)
            { InheritedFrom = [new QualifiedName("public", "emp"), new QualifiedName("public", "person")] };
        Assert.Equal("CAST('x' AS text)", masker.ExpressionFor(column));
    }

    [Fact]
    public void Invalid_rules_are_rejected_with_the_reason()
    {
        Assert.Equal("invalid mask rule for column \"email\": unknown mask strategy \"emial\" (known: email, name, phone, partial, hash, null, random_int, constant, keyed_hash, fake_name, fake_email, date_shift, keep_format, keyed_email)",
            Assert.Throws<PgCloneException>(() => Masker(CloneOperation.Table, """{"mask": {"email": "emial"}}""", table: "t")).Message);
        Assert.Equal("invalid mask rule for column \"salary\": random_int needs min <= max, got min 10 and max 5",
            Assert.Throws<PgCloneException>(() => Masker(CloneOperation.Table, """{"mask": {"salary": {"type": "random_int", "min": 10, "max": 5}}}""", table: "t")).Message);
        Assert.Equal("invalid mask rule for column \"name\": strategy \"partial\" has no parameter \"prefx\" (it takes prefix, suffix)",
            Assert.Throws<PgCloneException>(() => Masker(CloneOperation.Table, """{"mask": {"name": {"type": "partial", "prefx": 2}}}""", table: "t")).Message);
        Assert.Equal("invalid mask rule for column \"salary\": strategy \"random_int\" needs parameters: {\"type\": \"random_int\", \"min\": ..., \"max\": ...}",
            Assert.Throws<PgCloneException>(() => Masker(CloneOperation.Table, """{"mask": {"salary": "random_int"}}""", table: "t")).Message);
        Assert.Equal("invalid mask rule for \"email\": a schema clone's mask is keyed by table: {\"email\": {\"column\": \"strategy\"}}",
            Assert.Throws<PgCloneException>(() => Masker(CloneOperation.Schema, """{"mask": {"email": "email"}}""")).Message);
    }

    [Fact]
    public void A_rule_on_a_column_of_the_wrong_type_is_refused_naming_server_column_and_types()
    {
        var masker = Masker(CloneOperation.Table, """{"mask": {"salary": "email", "hired": "phone", "tags": "name", "email": {"type": "date_shift", "days": 5}, "id": "keyed_hash"}}""", table: "employees");
        Assert.Equal("source 'prod' (db.example:5432): column \"public\".\"employees\".\"salary\": mask strategy \"email\" needs a text column, but the column is integer",
            Assert.Throws<PgCloneException>(() => masker.ExpressionFor(Col(Employees, "salary", "integer"))).Message);
        Assert.Equal("source 'prod' (db.example:5432): column \"public\".\"employees\".\"hired\": mask strategy \"phone\" needs a text column, but the column is date",
            Assert.Throws<PgCloneException>(() => masker.ExpressionFor(Col(Employees, "hired", "date"))).Message);
        Assert.Equal("source 'prod' (db.example:5432): column \"public\".\"employees\".\"tags\": mask strategy \"name\" needs a text column, but the column is text[]",
            Assert.Throws<PgCloneException>(() => masker.ExpressionFor(Col(Employees, "tags", "text[]"))).Message);
        Assert.Equal("source 'prod' (db.example:5432): column \"public\".\"employees\".\"email\": mask strategy \"date_shift\" needs a date or timestamp column, but the column is character varying(100)",
            Assert.Throws<PgCloneException>(() => masker.ExpressionFor(Col(Employees, "email", "character varying(100)"))).Message);
        Assert.Equal("source 'prod' (db.example:5432): column \"public\".\"employees\".\"id\": mask strategy \"keyed_hash\" needs a text or uuid column, but the column is bigint",
            Assert.Throws<PgCloneException>(() => masker.ExpressionFor(Col(Employees, "id", "bigint", pk: true))).Message);
    }

    [Fact]
    public void Unsafe_strategies_on_key_columns_are_refused_and_keyed_ones_allowed()
    {
        var masker = Masker(CloneOperation.Table, """{"mask": {"email": "email", "code": {"type": "random_int", "min": 1, "max": 9}, "ref": "keyed_hash", "phone": "keep_format", "uid": "hash"}}""", table: "employees");
        Assert.Equal("source 'prod' (db.example:5432): column \"public\".\"employees\".\"email\": mask strategy \"email\" cannot mask a column in a UNIQUE and a FOREIGN KEY: it maps different values to the same mask, so keys would collide or joins would break; use keyed_hash, keyed_email, keep_format or hash, which keep distinct values distinct",
            Assert.Throws<PgCloneException>(() => masker.ExpressionFor(Col(Employees, "email", "text", unique: true, fk: true))).Message);
        Assert.Equal("source 'prod' (db.example:5432): column \"public\".\"employees\".\"code\": mask strategy \"random_int\" cannot mask a column in a PRIMARY KEY: it is not deterministic, so keys would collide or joins would break; use keyed_hash, keyed_email, keep_format or hash, which keep distinct values distinct",
            Assert.Throws<PgCloneException>(() => masker.ExpressionFor(Col(Employees, "code", "integer", pk: true))).Message);
        Assert.NotNull(masker.ExpressionFor(Col(Employees, "ref", "text", pk: true, fk: true)));
        Assert.NotNull(masker.ExpressionFor(Col(Employees, "phone", "text", unique: true)));
        Assert.NotNull(masker.ExpressionFor(Col(Employees, "uid", "uuid", fk: true)));
    }

    [Fact]
    public void Keyed_email_masks_a_unique_key_and_is_refused_on_a_column_too_short_for_its_hashed_part_and_at_sign()
    {
        var masker = Masker(CloneOperation.Table, """{"mask": {"email": "keyed_email", "login": "keyed_email"}}""", table: "employees");
        Assert.NotNull(masker.ExpressionFor(Col(Employees, "email", "character varying(25)", unique: true, fk: true)));
        Assert.Equal("source 'prod' (db.example:5432): column \"public\".\"employees\".\"login\": mask strategy \"keyed_email\" writes 24 hashed characters and an '@' before the domain, but the column holds 24",
            Assert.Throws<PgCloneException>(() => masker.ExpressionFor(Col(Employees, "login", "character varying(24)"))).Message);
    }

    [Fact]
    public void Rules_round_trip_to_the_json_shape()
    {
        Assert.Equal("\"email\"", MaskRule.Parse(JsonNode.Parse("\"email\""), "x").ToString());
        Assert.Equal("{\"type\":\"partial\",\"prefix\":2,\"suffix\":3}", MaskRule.Parse(JsonNode.Parse("""{"type":"partial","prefix":2,"suffix":3}"""), "x").ToString());
        Assert.Equal("{\"type\":\"constant\",\"value\":\"true\"}", MaskRule.Parse(JsonNode.Parse("""{"type":"constant","value":true}"""), "x").ToString());
    }
}
