using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// Indexes and index-backed constraints (PRIMARY KEY, UNIQUE, EXCLUDE), foreign keys, NOT VALID checks, and the
/// ATTACH PARTITION steps that tie a partition's index to its parent's (as pg_dump does, so names survive).
/// </summary>
internal sealed class IndexDdl(TargetNaming naming, Tablespaces tablespaces)
{
    public string CreateIndex(IndexInfo i, QualifiedName table) => tablespaces.Around(i.Tablespace,
        $"CREATE {(i.Unique ? "UNIQUE " : "")}INDEX {Sql.Ident(naming.Child(i.TableOid, i.Name.Name))} ON {(i.OnOnly ? "ONLY " : "")}{table.Quoted}{i.Tail}");

    /// <summary>ALTER TABLE ONLY ... ADD CONSTRAINT: a partitioned table's key is built per partition and attached.</summary>
    public string AddConstraint(ConstraintInfo c, QualifiedName table, bool only = true) =>
        $"ALTER TABLE {(only ? "ONLY " : "")}{table.Quoted} ADD CONSTRAINT {Sql.Ident(naming.Child(c.TableOid, c.Name))} {tablespaces.Definition(c.Definition)}";

    /// <summary>
    /// A key (PRIMARY KEY, UNIQUE, EXCLUDE) added by ADD CONSTRAINT. A PRIMARY KEY's or UNIQUE constraint's definition
    /// names its index's tablespace (<see cref="Catalog.CatalogReader.ConstraintDefinition"/>); an exclusion
    /// constraint's cannot (the clause would go before its WHERE), so its index is built under SET default_tablespace.
    /// </summary>
    public string AddKey(ConstraintInfo c, IndexInfo index, QualifiedName table) =>
        c.Type == 'x' ? tablespaces.Around(index.Tablespace, AddConstraint(c, table)) : AddConstraint(c, table);

    /// <summary>Makes the key's unique index, built by <see cref="CreateIndex"/> under the key's name, the key.</summary>
    public string AddConstraintUsingIndex(ConstraintInfo c, QualifiedName table)
    {
        var name = Sql.Ident(naming.Child(c.TableOid, c.Name));
        return $"ALTER TABLE ONLY {table.Quoted} ADD CONSTRAINT {name} {(c.Type == 'p' ? "PRIMARY KEY" : "UNIQUE")} USING INDEX {name}";
    }

    /// <summary>A foreign key on a partitioned table is added without ONLY: PostgreSQL adds it to every partition.</summary>
    public string AddForeignKey(ConstraintInfo c, QualifiedName table, bool partitioned) =>
        $"ALTER TABLE {(partitioned ? "" : "ONLY ")}{table.Quoted} ADD CONSTRAINT {Sql.Ident(naming.Child(c.TableOid, c.Name))} {naming.ForeignKey(c.TableOid, c.Definition)}";

    public string Attach(IndexInfo parent, IndexInfo child) =>
        $"ALTER INDEX {Name(parent)} ATTACH PARTITION {Name(child)}";

    /// <summary>The index's qualified name on the target.</summary>
    public string Name(IndexInfo i) => (i.Name with { Name = naming.Child(i.TableOid, i.Name.Name) }).Quoted;

    /// <summary>ALTER INDEX ... SET STATISTICS for each index column (an expression's) whose target was set.</summary>
    public IEnumerable<string> Statistics(IndexInfo i) =>
        i.StatTargets.Select((target, k) => (target, column: k + 1)).Where(x => x.target >= 0).Select(x =>
            $"ALTER INDEX {Name(i)} ALTER COLUMN {x.column} SET STATISTICS {Sql.Literal(x.target)}");

    public string ClusterOn(IndexInfo i, QualifiedName table) =>
        $"ALTER TABLE ONLY {table.Quoted} CLUSTER ON {Sql.Ident(naming.Child(i.TableOid, i.Name.Name))}";

    public string ReplicaIdentity(IndexInfo i, QualifiedName table) =>
        $"ALTER TABLE ONLY {table.Quoted} REPLICA IDENTITY USING INDEX {Sql.Ident(naming.Child(i.TableOid, i.Name.Name))}";

    public string IndexComment(IndexInfo i) =>
        $"COMMENT ON INDEX {Name(i)} IS {Sql.Literal(i.Comment)}";

    public string ConstraintComment(ConstraintInfo c, QualifiedName table) =>
        $"COMMENT ON CONSTRAINT {Sql.Ident(naming.Child(c.TableOid, c.Name))} ON {table.Quoted} IS {Sql.Literal(c.Comment)}";
}
