using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

internal sealed partial class PlanAssembler
{
    /// <summary>Current values of created sequences, identity sequences included.</summary>
    private IEnumerable<DdlStatement> SequenceValues()
    {
        var identity = Tables.SelectMany(t => catalog.SequencesOwnedBy(t.Oid).Where(s => s.IsIdentity && ColumnsOf(t).Any(c => c.Name == s.OwnerColumn)));
        foreach (var s in Sequences.Concat(identity))
        {
            var name = naming.Sequence(s);
            var owner = catalog.Table(s.OwnerTable);
            yield return new DdlStatement("sequence", name.Quoted, SequenceDdl.SetValue(s, name)) { Table = owner is null ? null : naming.Table(owner) };
        }
    }

    /// <summary>Materialized views are filled (in dependency order) once their tables hold data; then their indexes.</summary>
    private IEnumerable<DdlStatement> MaterializedViews()
    {
        var matviews = _ordered.OfType<ViewInfo>().Where(v => v.Materialized).ToList();
        foreach (var v in matviews.Where(v => v.Populated))
            yield return new DdlStatement("materialized view", v.Name.Quoted, ViewDdl.Refresh(v)) { Table = v.Name };
        if (!_options.Indexes) yield break;
        foreach (var v in matviews)
            foreach (var i in catalog.IndexesOf(v.Oid))
            {
                _plannedIndexes[i.Oid] = (i, _index.CreateIndex(i, v.Name));
                yield return new DdlStatement("index", i.Name.Quoted, _index.CreateIndex(i, v.Name)) { Table = v.Name };
            }
    }

    private IEnumerable<DdlStatement> Triggers()
    {
        if (!_options.Triggers) yield break;
        foreach (var t in Tables)
        {
            var table = naming.Table(t);
            foreach (var tr in catalog.TriggersOf(t.Oid))
                if (UsesClonedColumns(t, tr.Columns, $"trigger {Sql.Ident(tr.Name)}"))
                    foreach (var sql in FunctionDdl.Trigger(tr, table, naming))
                        yield return new DdlStatement("trigger", $"{Sql.Ident(tr.Name)} on {table.Quoted}", sql) { Table = table };
        }
    }

    /// <summary>REPLICA IDENTITY USING INDEX and CLUSTER ON, once the index exists.</summary>
    private IEnumerable<DdlStatement> TableSettings()
    {
        foreach (var (index, _) in _plannedIndexes.Values.Where(x => x.Index.ReplicaIdentity || x.Index.Clustered))
        {
            var owner = catalog.Table(index.TableOid);
            var table = owner is null ? catalog.Views.First(v => v.Oid == index.TableOid).Name : naming.Table(owner);
            if (index.ReplicaIdentity) yield return new DdlStatement("table", table.Quoted, _index.ReplicaIdentity(index, table)) { Table = table };
            if (index.Clustered) yield return new DdlStatement("table", table.Quoted, _index.ClusterOn(index, table)) { Table = table };
        }
    }

    private IEnumerable<DdlStatement> Comments()
    {
        var statements = new List<(string Kind, string Name, string Sql, QualifiedName? Table)>();
        void Add(string kind, string name, string? sql, QualifiedName? table = null) { if (sql is not null) statements.Add((kind, name, sql, table)); }

        foreach (var s in catalog.Schemas.Where(s => s.Comment is not null && (request.Operation is not (CloneOperation.Table or CloneOperation.Functions) || !state.Schemas.Contains(s.Name))))
            Add("schema", Sql.Ident(s.Name), $"COMMENT ON SCHEMA {Sql.Ident(s.Name)} IS {Sql.Literal(s.Comment)}");
        foreach (var t in Types)
            foreach (var sql in TypeDdl.Comments(t)) Add("type", t.Name.Quoted, sql);
        foreach (var s in Sequences.Where(s => s.Comment is not null))
            Add("sequence", naming.Sequence(s).Quoted, $"COMMENT ON SEQUENCE {naming.Sequence(s).Quoted} IS {Sql.Literal(s.Comment)}");
        foreach (var t in Tables)
        {
            var table = naming.Table(t);
            if (t.Comment is not null) Add("table", table.Quoted, $"COMMENT ON TABLE {table.Quoted} IS {Sql.Literal(t.Comment)}", table);
            foreach (var sql in TableDdl.ColumnComments(table, ColumnsOf(t))) Add("table", table.Quoted, sql, table);
            foreach (var c in catalog.ConstraintsOf(t.Oid).Where(c => c.Comment is not null && (_plannedConstraints.Contains(c.Oid) || InlineChecks(t).Contains(c))))
                Add("constraint", $"{Sql.Ident(c.Name)} on {table.Quoted}", _index.ConstraintComment(c, table), table);
            if (_options.Triggers)
                foreach (var tr in catalog.TriggersOf(t.Oid).Where(x => x.Comment is not null))
                    Add("trigger", $"{Sql.Ident(tr.Name)} on {table.Quoted}", FunctionDdl.TriggerComment(tr, table), table);
        }
        foreach (var (index, _) in _plannedIndexes.Values.Where(x => x.Index.Comment is not null))
            Add("index", index.Name.Quoted, _index.IndexComment(index));
        foreach (var v in Views)
            foreach (var sql in ViewDdl.Comments(v)) Add(Kind(v), v.Name.Quoted, sql);
        foreach (var f in Functions)
            Add(f.Kind == 'p' ? "procedure" : "function", f.Signature, FunctionDdl.Comment(f));
        return statements.Select(s => new DdlStatement(s.Kind, s.Name, s.Sql) { Table = s.Table });
    }
}
