using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>Casts, conversions, access methods, rules, event triggers and publications.</summary>
internal static class ObjectDdl
{
    public static KindObject Render(CastInfo c)
    {
        var name = $"({c.Source} AS {c.Target})";
        var how = c.Method switch { 'f' => $"WITH FUNCTION {c.Function}", 'i' => "WITH INOUT", _ => "WITHOUT FUNCTION" };
        var context = c.Context switch { 'a' => " AS ASSIGNMENT", 'i' => " AS IMPLICIT", _ => "" };
        return new KindObject(new ObjectKey('k', c.Oid), "cast", name, DumpSection.PreData, [$"CREATE CAST {name} {how}{context}"])
        { Comment = c.Comment is null ? null : $"COMMENT ON CAST {name} IS {Sql.Literal(c.Comment)}" };
    }

    /// <summary>OR REPLACE: a schema clone's language may be on the target already (same handler, or the source's taken).</summary>
    public static KindObject Render(LanguageInfo l)
    {
        var name = Sql.Ident(l.Name);
        var sql = $"CREATE OR REPLACE {(l.Trusted ? "TRUSTED " : "")}PROCEDURAL LANGUAGE {name} HANDLER {l.Handler}" +
                  (l.Inline is null ? "" : $" INLINE {l.Inline}") + (l.Validator is null ? "" : $" VALIDATOR {l.Validator}");
        return new KindObject(new ObjectKey('L', l.Oid), "language", name, DumpSection.PreData, [sql])
        {
            Comment = l.Comment is null ? null : $"COMMENT ON LANGUAGE {name} IS {Sql.Literal(l.Comment)}",
            Owner = l.Owner, OwnerTarget = $"LANGUAGE {name}",
        };
    }

    public static KindObject Render(TransformInfo t)
    {
        var name = $"FOR {t.Type} LANGUAGE {Sql.Ident(t.Language)}";
        var functions = new[] { t.FromSql is null ? null : $"FROM SQL WITH FUNCTION {t.FromSql}", t.ToSql is null ? null : $"TO SQL WITH FUNCTION {t.ToSql}" };
        return new KindObject(new ObjectKey('X', t.Oid), "transform", name, DumpSection.PreData,
            [$"CREATE TRANSFORM {name} ({string.Join(", ", functions.OfType<string>())})"])
        { Comment = t.Comment is null ? null : $"COMMENT ON TRANSFORM {name} IS {Sql.Literal(t.Comment)}" };
    }

    public static KindObject Render(ConversionInfo c) =>
        new(new ObjectKey('v', c.Oid), "conversion", c.Name.Quoted, DumpSection.PreData,
            [$"CREATE {(c.IsDefault ? "DEFAULT " : "")}CONVERSION {c.Name.Quoted} FOR {Sql.Literal(c.From)} TO {Sql.Literal(c.To)} FROM {c.Function}"])
        {
            Comment = c.Comment is null ? null : $"COMMENT ON CONVERSION {c.Name.Quoted} IS {Sql.Literal(c.Comment)}",
            Owner = c.Owner, OwnerTarget = $"CONVERSION {c.Name.Quoted}",
        };

    public static KindObject Render(AccessMethodInfo a)
    {
        var name = Sql.Ident(a.Name);
        return new KindObject(new ObjectKey('A', a.Oid), "access method", name, DumpSection.PreData,
            [$"CREATE ACCESS METHOD {name} TYPE {(a.Type == 't' ? "TABLE" : "INDEX")} HANDLER {a.Handler}"])
        { Comment = a.Comment is null ? null : $"COMMENT ON ACCESS METHOD {name} IS {Sql.Literal(a.Comment)}" };
    }

    /// <summary>A rule goes after the data (pg_dump's post-data), so an INSERT rule does not reroute the copied rows.</summary>
    public static KindObject Render(RuleInfo r, QualifiedName table)
    {
        var create = new List<string> { FunctionDdl.Whole(r.Definition) };
        var state = r.Enabled switch { 'D' => "DISABLE", 'R' => "ENABLE REPLICA", 'A' => "ENABLE ALWAYS", _ => null };
        if (state is not null) create.Add($"ALTER TABLE {table.Quoted} {state} RULE {Sql.Ident(r.Name)}");
        return new KindObject(new ObjectKey('w', r.Oid), "rule", $"{Sql.Ident(r.Name)} on {table.Quoted}", DumpSection.PostData, create)
        {
            Comment = r.Comment is null ? null : $"COMMENT ON RULE {Sql.Ident(r.Name)} ON {table.Quoted} IS {Sql.Literal(r.Comment)}",
            Table = table,
        };
    }

    /// <summary>Event triggers come last, as pg_dump places them, so they do not fire on the clone's own DDL.</summary>
    public static KindObject Render(EventTriggerInfo e)
    {
        var name = Sql.Ident(e.Name);
        var when = e.Tags.Count == 0 ? "" : $"\n    WHEN TAG IN ({string.Join(", ", e.Tags.Select(Sql.Literal))})";
        var create = new List<string> { $"CREATE EVENT TRIGGER {name} ON {Sql.Ident(e.Event)}{when}\n    EXECUTE FUNCTION {e.Function}()" };
        var state = e.Enabled switch { 'D' => "DISABLE", 'R' => "ENABLE REPLICA", 'A' => "ENABLE ALWAYS", _ => null };
        if (state is not null) create.Add($"ALTER EVENT TRIGGER {name} {state}");
        return new KindObject(new ObjectKey('E', e.Oid), "event trigger", name, DumpSection.Last, create)
        {
            Comment = e.Comment is null ? null : $"COMMENT ON EVENT TRIGGER {name} IS {Sql.Literal(e.Comment)}",
            Owner = e.Owner, OwnerTarget = $"EVENT TRIGGER {name}",
        };
    }

    /// <summary>
    /// As pg_dump restores one: connect = false, so the target neither connects to the publisher nor creates a slot,
    /// and the subscription stays disabled until someone enables it there.
    /// </summary>
    public static KindObject Render(SubscriptionInfo s)
    {
        var name = Sql.Ident(s.Name);
        var with = new List<string> { "connect = false", $"slot_name = {(s.SlotName is null ? "NONE" : Sql.Literal(s.SlotName))}" };
        if (s.Binary) with.Add("binary = true");
        if (s.Streaming) with.Add("streaming = on");
        if (s.TwoPhase != 'd') with.Add("two_phase = on");
        if (s.DisableOnError) with.Add("disable_on_error = true");
        if (s.SyncCommit != "off") with.Add($"synchronous_commit = {Sql.Literal(s.SyncCommit)}");
        var create = $"CREATE SUBSCRIPTION {name} CONNECTION {Sql.Literal(s.ConnInfo)} PUBLICATION {string.Join(", ", s.Publications.Select(Sql.Ident))} WITH ({string.Join(", ", with)})";
        return new KindObject(new ObjectKey('U', s.Oid), "subscription", name, DumpSection.PostData, [create])
        {
            Comment = s.Comment is null ? null : $"COMMENT ON SUBSCRIPTION {name} IS {Sql.Literal(s.Comment)}",
            Owner = s.Owner, OwnerTarget = $"SUBSCRIPTION {name}",
        };
    }

    public static KindObject Render(PublicationInfo p)
    {
        var name = Sql.Ident(p.Name);
        var with = $"publish = {Sql.Literal(string.Join(", ", p.Publish))}{(p.ViaRoot ? ", publish_via_partition_root = true" : "")}";
        var create = new List<string> { $"CREATE PUBLICATION {name}{(p.AllTables ? " FOR ALL TABLES" : "")} WITH ({with})" };
        create.AddRange(p.Tables.Select(t => $"ALTER PUBLICATION {name} ADD TABLE {t}"));
        create.AddRange(p.Schemas.Select(s => $"ALTER PUBLICATION {name} ADD TABLES IN SCHEMA {s}"));
        return new KindObject(new ObjectKey('B', p.Oid), "publication", name, DumpSection.PostData, create)
        {
            Comment = p.Comment is null ? null : $"COMMENT ON PUBLICATION {name} IS {Sql.Literal(p.Comment)}",
            Owner = p.Owner, OwnerTarget = $"PUBLICATION {name}",
        };
    }
}
