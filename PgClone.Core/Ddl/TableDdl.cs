using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// CREATE TABLE with columns (types, collations, defaults, identity, generated, NOT NULL), validated CHECK
/// constraints, INHERITS / PARTITION OF / PARTITION BY, UNLOGGED and storage parameters; then per-column
/// statistics/storage settings. Keys, unique and exclusion constraints and indexes come after the data.
/// </summary>
internal sealed class TableDdl(SourceCatalog catalog, TargetNaming naming, Tablespaces tablespaces)
{
    public IEnumerable<string> Create(TableInfo t, IReadOnlyList<ColumnInfo> columns, IEnumerable<ConstraintInfo> inlineChecks)
    {
        var name = naming.Table(t);
        var elements = new List<string>();
        var parents = t.Parents.Select(catalog.Table).ToList();
        // A partition whose columns are in another order than its parent's (it was attached after creation) is
        // created on its own with its columns, then attached, as pg_dump does; so is a foreign partition.
        var standalone = t.IsPartition && (t.IsForeign || !SameColumnOrder(t, parents[0]));
        // So is an inheritance child whose columns are not in the order INHERITS would give (a parent gained columns
        // later): created with all its columns in its own order, then made a child with ALTER TABLE ... INHERIT.
        var reordered = !t.IsPartition && !t.IsForeign && t.OfType is null && parents.Count > 0 && !InheritsOrder(t, parents);
        var foreign = t.IsForeign ? catalog.ForeignTables.FirstOrDefault(f => f.TableOid == t.Oid) : null;
        if (t.OfType is not null)
            elements.AddRange(columns.Where(c => c.NotNull || c.Default is not null).Select(c =>
                $"{Sql.Ident(c.Name)} WITH OPTIONS{(c.NotNull ? " NOT NULL" : "")}{(c.Default is null ? "" : " DEFAULT " + naming.Default(c.Default))}"));
        else if (!t.IsPartition || standalone)
        {
            // CREATE TABLE ... INHERITS refuses a generation expression on a column a parent generates: the child
            // takes the parent's (pg_dump leaves it off too). ALTER TABLE ... INHERIT and ATTACH want it present.
            var inheritsGeneration = standalone || reordered || t.IsPartition ? [] : parents.OfType<TableInfo>()
                .SelectMany(p => p.Columns.Where(c => c.Generated == 's').Select(c => c.Name)).ToHashSet(StringComparer.Ordinal);
            elements.AddRange(columns.Where(c => c.IsLocal || standalone || reordered)
                .Select(c => Column(t, c, foreign, inheritsGeneration.Contains(c.Name))));
        }
        // INHERIT wants the parents' checks on the child already.
        var inherited = reordered ? catalog.ConstraintsOf(t.Oid).Where(c => c.Type == 'c' && c.Validated && !c.IsLocal).ToList() : [];
        var checks = standalone ? catalog.ConstraintsOf(t.Oid).Where(c => c.Type == 'c' && c.Validated) : inlineChecks.Concat(inherited);
        elements.AddRange(checks.Select(c => $"CONSTRAINT {Sql.Ident(naming.Child(t.Oid, c.Name))} {c.Definition}"));

        var sql = new System.Text.StringBuilder($"CREATE {(t.Unlogged ? "UNLOGGED " : "")}{(t.IsForeign ? "FOREIGN " : "")}TABLE {name.Quoted}");
        if (t.OfType is not null)
        {
            sql.Append(" OF ").Append(t.OfType);
            if (elements.Count > 0) sql.Append(" (").AppendJoin(", ", elements).Append(')');
        }
        else if (t.IsPartition && !standalone)
        {
            sql.Append(" PARTITION OF ").Append(ParentName(t, parents, 0));
            if (elements.Count > 0) sql.Append(" (").AppendJoin(", ", elements).Append(')');
            sql.Append(' ').Append(t.PartitionBound);
        }
        else
        {
            sql.Append(" (").AppendJoin(", ", elements).Append(')');
            if (t.Parents.Count > 0 && !t.IsPartition && !reordered) sql.Append(" INHERITS (").AppendJoin(", ", parents.Select((_, i) => ParentName(t, parents, i))).Append(')');
        }
        if (t.PartitionKey is not null) sql.Append(" PARTITION BY ").Append(t.PartitionKey);
        if (t.AccessMethod is not null) sql.Append(" USING ").Append(Sql.Ident(t.AccessMethod));
        if (t.RelOptions.Count > 0) sql.Append(" WITH (").Append(RelOptions(t.RelOptions)).Append(')');
        if (!t.IsForeign) sql.Append(tablespaces.Clause(t.Tablespace));
        if (foreign is not null) sql.Append(" SERVER ").Append(Sql.Ident(foreign.Server)).Append(ForeignDataDdl.Options(foreign.Options));
        yield return sql.ToString();
        // An identity sequence is made with its table's persistence; one switched since (ALTER SEQUENCE ... SET LOGGED) is switched again.
        if (t.OfType is null && (!t.IsPartition || standalone))
            foreach (var c in columns.Where(c => c.Identity is 'a' or 'd' && (c.IsLocal || standalone || reordered)))
                if (catalog.SequencesOwnedBy(t.Oid).FirstOrDefault(s => s.IsIdentity && s.OwnerColumn == c.Name) is { } seq && seq.Unlogged != t.Unlogged)
                    yield return $"ALTER SEQUENCE {naming.Sequence(seq).Quoted} SET {(seq.Unlogged ? "UNLOGGED" : "LOGGED")}";
        if (standalone)
            yield return $"ALTER {(parents[0]?.IsForeign == true ? "FOREIGN " : "")}TABLE ONLY {ParentName(t, parents, 0)} ATTACH PARTITION {name.Quoted} {t.PartitionBound}";
        if (reordered)
        {
            for (var i = 0; i < parents.Count; i++) yield return $"ALTER TABLE ONLY {name.Quoted} INHERIT {ParentName(t, parents, i)}";
            if (InheritedOnly(name, columns, inherited.Select(c => naming.Child(t.Oid, c.Name)).ToList()) is { } marks) yield return marks;
        }

        foreach (var c in columns)
        {
            // The parent's column it takes (null: from a parent outside the catalog, an extension's table).
            var parentColumn = parents.Select(p => p?.Columns.FirstOrDefault(x => x.Name == c.Name)).FirstOrDefault(x => x is not null);
            var column = AlterColumn(name, c);
            // PARTITION OF and INHERITS give the child its parents' defaults: one the child lacks is dropped again.
            if ((t.IsPartition ? !standalone : !reordered) && c.Default is null && c.Identity == '\0'
                && parents.Any(p => p?.Columns.FirstOrDefault(x => x.Name == c.Name) is { Default: not null, Generated: '\0' }))
                yield return $"{column} DROP DEFAULT";
            // A column taken from the parent (a partition's, or a child's not declared by itself) gets only what differs
            // set on the child: NOT NULL, a default of its own (pgq's queue tables number their events from their own sequences).
            if (t.IsPartition ? !standalone : !reordered && !c.IsLocal)
            {
                if (c.NotNull && parentColumn?.NotNull != true) yield return $"{column} SET NOT NULL";
                if (c.Default is not null && c.Generated == '\0' && c.Default != parentColumn?.Default) yield return $"{column} SET DEFAULT {naming.Default(c.Default)}";
            }
            foreach (var setting in ColumnSettings(name, c)) yield return setting;
            if ((t.IsPartition ? !standalone : !reordered) && parents.OfType<TableInfo>().SelectMany(p => p.Columns).FirstOrDefault(p => p.Name == c.Name) is { } inheritedFrom)
                foreach (var reset in ResetInheritedSettings(name, c, inheritedFrom)) yield return reset;
        }
        if (t.IsForeign) yield break;
        if (t.ReplicaIdentity == 'f') yield return $"ALTER TABLE ONLY {name.Quoted} REPLICA IDENTITY FULL";
        if (t.ReplicaIdentity == 'n') yield return $"ALTER TABLE ONLY {name.Quoted} REPLICA IDENTITY NOTHING";
    }

    /// <summary>
    /// What a column carries beside its definition: statistics target, storage, compression, options. Tables and
    /// materialized views have them alike (ALTER TABLE reaches both, as in pg_dump's output).
    /// </summary>
    public static IEnumerable<string> ColumnSettings(QualifiedName relation, ColumnInfo c)
    {
        var column = AlterColumn(relation, c);
        if (c.StatTarget >= 0) yield return $"{column} SET STATISTICS {Sql.Literal(c.StatTarget)}";
        if (c.Storage != c.TypeStorage) yield return $"{column} SET STORAGE {Storage(c.Storage)}";
        if (c.Compression is 'p' or 'l') yield return $"{column} SET COMPRESSION {(c.Compression == 'l' ? "lz4" : "pglz")}";
        if (c.Options.Count > 0) yield return $"{column} SET ({RelOptions(c.Options)})";
    }

    /// <summary>
    /// INHERITS and PARTITION OF give a column its parent's storage and compression; a child that has the defaults
    /// (it was made a child later, by INHERIT) gets them back, which ColumnSettings, setting only what is not the
    /// default, would not do (pg_dump | psql leaves the parent's).
    /// </summary>
    private static IEnumerable<string> ResetInheritedSettings(QualifiedName relation, ColumnInfo c, ColumnInfo parent)
    {
        if (c.Storage == c.TypeStorage && parent.Storage != c.Storage) yield return $"{AlterColumn(relation, c)} SET STORAGE {Storage(c.Storage)}";
        if (c.Compression == '\0' && parent.Compression != '\0') yield return $"{AlterColumn(relation, c)} SET COMPRESSION default";
    }

    public static string AlterColumn(QualifiedName relation, ColumnInfo c) => $"ALTER TABLE ONLY {relation.Quoted} ALTER COLUMN {Sql.Ident(c.Name)}";

    /// <summary>Parent <paramref name="i"/> of <paramref name="t"/>: a cloned table, or an extension's, which CREATE EXTENSION made.</summary>
    private string ParentName(TableInfo t, IReadOnlyList<TableInfo?> parents, int i) =>
        parents[i] is { } parent ? naming.Table(parent).Quoted
        : t.ExtensionParents.ElementAtOrDefault(i) ?? throw new PgCloneException($"parent table (oid {t.Parents[i]}) is outside the cloned schemas");

    /// <summary>Whether CREATE TABLE ... INHERITS gives the child its columns in their order: the parents' columns first, merged, then its own.</summary>
    private static bool InheritsOrder(TableInfo t, IReadOnlyList<TableInfo?> parents)
    {
        if (parents.Any(p => p is null)) return true;
        var order = parents.SelectMany(p => p!.Columns.Select(c => c.Name)).Distinct(StringComparer.Ordinal).ToList();
        var fromParents = order.ToHashSet(StringComparer.Ordinal);
        order.AddRange(t.Columns.Select(c => c.Name).Where(n => !fromParents.Contains(n)));
        return t.Columns.Select(c => c.Name).SequenceEqual(order, StringComparer.Ordinal);
    }

    /// <summary>
    /// Columns and checks the child only inherits (not declared on it), marked so as pg_dump --binary-upgrade does:
    /// ALTER TABLE ... INHERIT leaves them marked as the child's own, which only a superuser can change in the
    /// catalog. Without one they stay marked local: same columns, order and data, but pg_dump lists them on the child.
    /// </summary>
    private static string? InheritedOnly(QualifiedName table, IReadOnlyList<ColumnInfo> columns, IReadOnlyList<string> checks)
    {
        var names = columns.Where(c => !c.IsLocal).Select(c => c.Name).ToList();
        if (names.Count == 0 && checks.Count == 0) return null;
        var relation = $"{Sql.Literal(table.Quoted)}::pg_catalog.regclass";
        var body = new System.Text.StringBuilder("BEGIN IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN ");
        if (names.Count > 0)
            body.Append($"UPDATE pg_catalog.pg_attribute SET attislocal = false WHERE attrelid = {relation} AND attname IN ({string.Join(", ", names.Select(Sql.Literal))}); ");
        if (checks.Count > 0)
            body.Append($"UPDATE pg_catalog.pg_constraint SET conislocal = false WHERE conrelid = {relation} AND contype = 'c' AND conname IN ({string.Join(", ", checks.Select(Sql.Literal))}); ");
        return "DO " + Sql.DollarQuote(body.Append("END IF; END").ToString());
    }

    private static bool SameColumnOrder(TableInfo t, TableInfo? parent) =>
        parent is null || t.Columns.Select(c => c.Name).SequenceEqual(parent.Columns.Select(c => c.Name));

    private string Column(TableInfo t, ColumnInfo c, ForeignTableInfo? foreign, bool inheritsGeneration)
    {
        var options = foreign is not null && foreign.ColumnOptions.TryGetValue(c.Name, out var o) ? ForeignDataDdl.Options(o) : "";
        var sql = $"{Sql.Ident(c.Name)} {c.Type}{options}{TypeDdl.Collate(c.Collation)}";
        if (c.Generated == 's') sql += inheritsGeneration ? "" : $" GENERATED ALWAYS AS ({c.Default}) STORED";
        else if (c.Identity is 'a' or 'd')
        {
            var seq = catalog.SequencesOwnedBy(t.Oid).First(s => s.IsIdentity && s.OwnerColumn == c.Name);
            sql += $" GENERATED {(c.Identity == 'a' ? "ALWAYS" : "BY DEFAULT")} AS IDENTITY ({SequenceDdl.IdentityOptions(seq, naming.Sequence(seq))})";
        }
        else if (c.Default is not null) sql += " DEFAULT " + naming.Default(c.Default);
        if (c.NotNull) sql += " NOT NULL";
        return sql;
    }

    /// <summary>reloptions entries "name=value" (or "toast.name=value") as a WITH list.</summary>
    public static string RelOptions(IEnumerable<string> options) => string.Join(", ", options.Select(o =>
    {
        var eq = o.IndexOf('=');
        var name = o[..eq];
        var key = name.StartsWith("toast.", StringComparison.Ordinal) ? "toast." + Sql.Ident(name["toast.".Length..]) : Sql.Ident(name);
        return $"{key} = {Sql.Literal(o[(eq + 1)..])}";
    }));

    private static string Storage(char storage) => storage switch
    {
        'p' => "PLAIN", 'e' => "EXTERNAL", 'm' => "MAIN", _ => "EXTENDED",
    };

    public static IEnumerable<string> ColumnComments(QualifiedName name, IEnumerable<ColumnInfo> columns) =>
        columns.Where(c => c.Comment is not null).Select(c => $"COMMENT ON COLUMN {name.Quoted}.{Sql.Ident(c.Name)} IS {Sql.Literal(c.Comment)}");
}
