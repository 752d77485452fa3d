using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

internal sealed partial class PlanAssembler
{
    private readonly HashSet<uint> _plannedStatistics = [];
    /// <summary>The triggers and policies created: only theirs get comments (one reading a left-out column is not).</summary>
    private readonly HashSet<uint> _plannedTriggers = [], _plannedPolicies = [];

    /// <summary>Current values of created sequences, identity sequences included.</summary>
    private IEnumerable<DdlStatement> SequenceValues()
    {
        foreach (var s in ClonedSequences().Where(s => !UnreadOnStandby(s)))
        {
            var name = naming.Sequence(s);
            var owner = catalog.Table(s.OwnerTable);
            yield return new DdlStatement("sequence", name.Quoted, SequenceDdl.SetValue(s, name)) { Table = owner is null ? null : naming.Table(owner) };
        }
        foreach (var c in catalog.ExtensionConfigs.Where(c => c.Kind == 'S' && c.LastValue is not null && CreatesExtension(c.Extension)))
            yield return new DdlStatement("sequence", c.Name.Quoted, SequenceDdl.SetValue(c.Name, c.LastValue!.Value, called: true));
    }

    /// <summary>The sequences the clone creates: its own, and its identity columns'.</summary>
    private IEnumerable<SequenceInfo> ClonedSequences() =>
        Sequences.Concat(Tables.SelectMany(t => catalog.SequencesOwnedBy(t.Oid).Where(s => s.IsIdentity && ColumnsOf(t).Any(c => c.Name == s.OwnerColumn))));

    /// <summary>
    /// Views and functions relying on a constraint get their definition (materialized views and functions are created)
    /// now that keys exist, in dependency order.
    /// </summary>
    private IEnumerable<DdlStatement> DefinitionsNeedingConstraints() =>
        _ordered.Select(o => o switch
        {
            ViewInfo { NeedsConstraint: true } v =>
                new DdlStatement(Kind(v), v.Name.Quoted, v.Materialized ? ViewDdl.Create(v, _tablespaces.Clause(v.Tablespace)) : ViewDdl.Replace(v)),
            FunctionInfo { NeedsConstraint: true } f => CreateFunction(f),
            _ => null,
        }).OfType<DdlStatement>();

    /// <summary>
    /// What views carry beside their query: column defaults (what an INSERT through a view fills in), and the
    /// column settings of materialized views, set before these are filled, as a restore of pg_dump's output does.
    /// </summary>
    private IEnumerable<DdlStatement> ViewColumns()
    {
        foreach (var v in Views)
            foreach (var c in v.Columns)
            {
                if (c.Default is not null)
                    yield return new DdlStatement(Kind(v), v.Name.Quoted, $"{TableDdl.AlterColumn(v.Name, c)} SET DEFAULT {naming.Default(c.Default)}") { Table = v.Name };
                if (v.Materialized)
                    foreach (var sql in TableDdl.ColumnSettings(v.Name, c)) yield return new DdlStatement(Kind(v), v.Name.Quoted, sql) { Table = v.Name };
            }
    }

    /// <summary>Materialized views are filled (in dependency order) once their tables hold data; then their indexes.</summary>
    private IEnumerable<DdlStatement> MaterializedViews()
    {
        var matviews = _ordered.OfType<ViewInfo>().Where(v => v.Materialized).ToList();
        // A database clone gives the database its settings; a refresh computes under them, as a session of it would.
        var settings = request.Operation is CloneOperation.Database or CloneOperation.DatabaseCreate ? DatabaseDdl.SessionSettings(catalog.Database.Settings) : null;
        var populated = matviews.Where(v => v.Populated).ToList();
        foreach (var v in populated)
            yield return new DdlStatement("materialized view", v.Name.Quoted, ViewDdl.Refresh(v, settings)) { Table = v.Name };
        if (_options.Indexes)
            foreach (var v in matviews)
                foreach (var i in catalog.IndexesOf(v.Oid).Where(i => Cloned(new ObjectKey('i', i.Oid), $"index {i.Name.Quoted}")))
                {
                    var sql = _index.CreateIndex(i, v.Name);
                    _plannedIndexes[i.Oid] = (i, sql);
                    yield return new DdlStatement("index", i.Name.Quoted, sql) { Table = v.Name };
                }
        // Before its ANALYZE, which computes them.
        foreach (var v in matviews)
            foreach (var statement in Statistics(v.Oid, v.Name, _ => true))
                yield return statement;
        // Analyzed like the copied tables, once its indexes are built (an expression index has statistics of its own).
        foreach (var v in populated)
            yield return new DdlStatement("materialized view", v.Name.Quoted, $"ANALYZE {v.Name.Quoted}") { Table = v.Name };
    }

    /// <summary>Whether the trigger's function is cloned; a trigger on one left out (it cannot be recreated) is left out and listed.</summary>
    private bool TriggerFunctionCloned(TriggerInfo tr, QualifiedName on)
    {
        var function = new ObjectKey('f', tr.FunctionOid);
        if (!scope.Unclonable.ContainsKey(function)) return true;
        _skipped.Add($"trigger {Sql.Ident(tr.Name)} on {on.Quoted}: depends on {scope.NameOf(function) ?? "a function"}, which is not cloned");
        return false;
    }

    /// <summary>
    /// A constraint trigger names its other table (FROM), which a table or schema clone may not bring nor the target
    /// have: left out and listed, as a foreign key to it is, where CREATE failed after the tables were written. (A
    /// table of a schema the target's state was not read for counts as missing.)
    /// </summary>
    private bool TriggerFromThere(TriggerInfo tr, QualifiedName on)
    {
        if (tr.From is not { } from || Tables.Any(t => t.Name == from) || state.Relations.ContainsKey(from)) return true;
        _skipped.Add($"trigger {Sql.Ident(tr.Name)} on {on.Quoted}: its FROM names table {from.Quoted}, which the target lacks and the clone does not bring");
        return false;
    }

    private IEnumerable<DdlStatement> Triggers()
    {
        if (!_options.Triggers) yield break;
        var relations = Tables.Select(t => (t.Oid, Name: naming.Table(t), Table: (TableInfo?)t))
            .Concat(Views.Select(v => (v.Oid, v.Name, Table: (TableInfo?)null)));
        var planned = Tables.Select(t => t.Oid).ToHashSet();
        var partitionStates = new List<DdlStatement>();
        foreach (var (oid, name, table) in relations)
            foreach (var tr in catalog.TriggersOf(oid).Where(tr => TriggerFunctionCloned(tr, name) && TriggerFromThere(tr, name)
                                                                   && Cloned(PlanScope.TriggerKey(tr), $"trigger {Sql.Ident(tr.Name)} on {name.Quoted}")))
            {
                var statements = FunctionDdl.Trigger(tr, name, naming).Select(sql => new DdlStatement("trigger", $"{Sql.Ident(tr.Name)} on {name.Quoted}", sql) { Table = name });
                // A partition's copy of its parent's trigger exists once the parent's is created, here, in any
                // order: its own enabled state is set after every trigger.
                if (tr.OnPartition)
                {
                    if (table is { Parents: [var parent] } && planned.Contains(parent) && _plannedTriggers.Add(tr.Oid)) partitionStates.AddRange(statements);
                }
                else if ((table is null || UsesClonedColumns(table, tr.Columns, $"trigger {Sql.Ident(tr.Name)}")) && _plannedTriggers.Add(tr.Oid))
                    foreach (var statement in statements) yield return statement;
            }
        foreach (var statement in partitionStates) yield return statement;
    }

    /// <summary>
    /// ALTER ... DEPENDS ON EXTENSION for the created routines, materialized views, indexes and triggers so marked
    /// (dropping the extension drops them), when the target has or gets the extension.
    /// </summary>
    private IEnumerable<DdlStatement> ExtensionDependencies()
    {
        var extensions = ExtensionNames().Concat(state.InstalledExtensions).ToHashSet(StringComparer.Ordinal);
        foreach (var d in catalog.ExtensionDependents.Where(d => extensions.Contains(d.Extension)))
        {
            var (kind, target) = d.Kind switch
            {
                'f' => ("function", Functions.FirstOrDefault(f => f.Oid == d.Oid) is { } f ? $"ROUTINE {f.Signature}" : null),
                'm' => ("materialized view", Views.FirstOrDefault(v => v.Oid == d.Oid) is { } v ? $"MATERIALIZED VIEW {v.Name.Quoted}" : null),
                'i' => ("index", _plannedIndexes.TryGetValue(d.Oid, out var i) ? $"INDEX {_index.Name(i.Index)}" : null),
                _ => ("trigger", _plannedTriggers.Contains(d.Oid) && catalog.Triggers.FirstOrDefault(t => t.Oid == d.Oid) is { } tr && TriggerRelation(tr.TableOid) is { } on
                    ? $"TRIGGER {Sql.Ident(tr.Name)} ON {on.Quoted}" : null),
            };
            if (target is not null) yield return new DdlStatement(kind, target, $"ALTER {target} DEPENDS ON EXTENSION {Sql.Ident(d.Extension)}");
        }
    }

    /// <summary>The created table or view a trigger is on, by its name on the target; null when it is not created.</summary>
    private QualifiedName? TriggerRelation(uint oid) =>
        Tables.FirstOrDefault(t => t.Oid == oid) is { } t ? naming.Table(t) : Views.FirstOrDefault(v => v.Oid == oid)?.Name;

    /// <summary>Whether a policy names PUBLIC or a role the target has: one naming only roles it lacks applies to no one there.</summary>
    private bool AppliesOnTarget(PolicyInfo p) => p.Roles.Count == 0 || p.Roles.Any(state.Roles.Contains);

    /// <summary>Extended statistics, row-level security and policies of the created tables.</summary>
    private IEnumerable<DdlStatement> StatisticsAndPolicies()
    {
        foreach (var t in Tables)
        {
            var table = naming.Table(t);
            foreach (var statement in Statistics(t.Oid, table, s => UsesClonedColumns(t, s.ColumnNumbers, $"statistics {Sql.Ident(s.Name.Name)}")))
                yield return statement;
            foreach (var sql in PolicyDdl.RowSecurity(t, table))
                yield return new DdlStatement("table", table.Quoted, sql) { Table = table };
            foreach (var p in catalog.PoliciesOf(t.Oid))
            {
                var name = $"{Sql.Ident(p.Name)} on {table.Quoted}";
                if (!UsesClonedColumns(t, p.Columns, $"policy {Sql.Ident(p.Name)}")) continue;
                var missing = p.Roles.Where(r => !state.Roles.Contains(r)).ToList();
                var absent = missing.Count == 1 ? $"role {Sql.Ident(missing[0])} is" : $"roles {Sql.IdentList(missing)} are";
                if (!AppliesOnTarget(p))
                    _absentRoles.Add($"policy {name}: {absent} not on the target (it would apply to no role there)");
                else if (Cloned(new ObjectKey('y', p.Oid), $"policy {name}"))
                {
                    _plannedPolicies.Add(p.Oid);
                    // Kept for the roles the target has: left out whole, a RESTRICTIVE policy would widen their access.
                    var kept = p with { Roles = [.. p.Roles.Where(state.Roles.Contains)] };
                    if (missing.Count > 0) _absentRoles.Add($"policy {name}: {absent} not on the target (created for {Sql.IdentList(kept.Roles)} only)");
                    yield return new DdlStatement("policy", name, PolicyDdl.Create(kept, table)) { Table = table };
                }
            }
        }
        foreach (var on in StatisticsOnOutsideRelations())
            foreach (var statement in Statistics(on.Key, on.First().Relation, _ => true))
                yield return statement;
    }

    /// <summary>
    /// A schema clone's extended statistics on a table or materialized view of another schema (a statistics object's
    /// schema is its own): created on the target's, which the outside check found there (or the run was refused).
    /// </summary>
    private IEnumerable<IGrouping<uint, StatisticsInfo>> StatisticsOnOutsideRelations() => request.Operation != CloneOperation.Schema ? []
        : catalog.Statistics.Where(s => catalog.Table(s.TableOid) is null && catalog.Views.All(v => v.Oid != s.TableOid)).GroupBy(s => s.TableOid);

    /// <summary>The extended statistics of a created table or materialized view, with their owners.</summary>
    private IEnumerable<DdlStatement> Statistics(uint relation, QualifiedName on, Func<StatisticsInfo, bool> clonable)
    {
        foreach (var s in catalog.StatisticsOf(relation))
            if (clonable(s) && Cloned(new ObjectKey('q', s.Oid), $"statistics {s.Name.Quoted}") && _plannedStatistics.Add(s.Oid))
            {
                var name = s.Name with { Name = naming.Child(relation, s.Name.Name) };
                foreach (var sql in StatisticsDdl.Create(s, name, on))
                    yield return new DdlStatement("statistics", s.Name.Quoted, sql) { Table = on };
                if (OwnerTo("statistics", s.Name.Quoted, $"STATISTICS {name.Quoted}", s.Owner, on) is { } owner) yield return owner;
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
        foreach (var (index, _) in _plannedIndexes.Values)
            foreach (var sql in _index.Statistics(index))
                yield return new DdlStatement("index", index.Name.Quoted, sql);
    }

    private IEnumerable<DdlStatement> Comments()
    {
        var statements = new List<(string Kind, string Name, string Sql, QualifiedName? Table)>();
        void Add(string kind, string name, string? sql, QualifiedName? table = null) { if (sql is not null) statements.Add((kind, name, sql, table)); }

        foreach (var s in catalog.Schemas.Where(s => s.Comment is not null && (request.Operation is not (CloneOperation.Table or CloneOperation.Functions) || !state.Schemas.Contains(s.Name))))
            Add("schema", Sql.Ident(s.Name), $"COMMENT ON SCHEMA {Sql.Ident(s.Name)} IS {Sql.Literal(s.Comment)}");
        // A database clone's schema the target already had (public, with initdb's comment) loses a comment the source's lacks.
        if (request.Operation is CloneOperation.Database or CloneOperation.DatabaseCreate)
            foreach (var s in catalog.Schemas.Where(s => s.Comment is null && state.Schemas.Contains(s.Name)))
                Add("schema", Sql.Ident(s.Name), $"COMMENT ON SCHEMA {Sql.Ident(s.Name)} IS NULL");
        foreach (var c in catalog.Collations.Where(c => c.Comment is not null && request.Operation is not (CloneOperation.Table or CloneOperation.Functions)))
            Add("collation", c.Name.Quoted, $"COMMENT ON COLLATION {c.Name.Quoted} IS {Sql.Literal(c.Comment)}");
        foreach (var t in Types)
            foreach (var sql in TypeDdl.Comments(t)) Add("type", t.Name.Quoted, sql);
        foreach (var s in Sequences.Where(s => s.Comment is not null))
            Add("sequence", naming.Sequence(s).Quoted, $"COMMENT ON SEQUENCE {naming.Sequence(s).Quoted} IS {Sql.Literal(s.Comment)}");
        foreach (var t in Tables)
        {
            var table = naming.Table(t);
            if (t.Comment is not null) Add("table", table.Quoted, $"COMMENT ON {(t.IsForeign ? "FOREIGN TABLE" : "TABLE")} {table.Quoted} IS {Sql.Literal(t.Comment)}", table);
            foreach (var sql in TableDdl.ColumnComments(table, ColumnsOf(t))) Add("table", table.Quoted, sql, table);
            foreach (var c in catalog.ConstraintsOf(t.Oid).Where(c => c.Comment is not null && (_plannedConstraints.Contains(c.Oid) || LocalChecks(t).Contains(c))))
                Add("constraint", $"{Sql.Ident(c.Name)} on {table.Quoted}", _index.ConstraintComment(c, table), table);
            foreach (var tr in catalog.TriggersOf(t.Oid).Where(x => x.Comment is not null && _plannedTriggers.Contains(x.Oid)))
                Add("trigger", $"{Sql.Ident(tr.Name)} on {table.Quoted}", FunctionDdl.TriggerComment(tr, table), table);
        }
        foreach (var (index, _) in _plannedIndexes.Values.Where(x => x.Index.Comment is not null))
            Add("index", index.Name.Quoted, _index.IndexComment(index));
        foreach (var v in Views)
        {
            foreach (var sql in ViewDdl.Comments(v)) Add(Kind(v), v.Name.Quoted, sql);
            foreach (var s in catalog.StatisticsOf(v.Oid).Where(s => _plannedStatistics.Contains(s.Oid)))
                Add("statistics", s.Name.Quoted, StatisticsDdl.Comment(s, s.Name), v.Name);
        }
        foreach (var f in Functions)
            Add(f.Kind == 'p' ? "procedure" : "function", f.Signature, FunctionDdl.Comment(f));
        foreach (var t in Tables)
        {
            var table = naming.Table(t);
            foreach (var p in catalog.PoliciesOf(t.Oid).Where(p => p.Comment is not null && _plannedPolicies.Contains(p.Oid)))
                Add("policy", $"{Sql.Ident(p.Name)} on {table.Quoted}", PolicyDdl.Comment(p, table), table);
            foreach (var s in catalog.StatisticsOf(t.Oid).Where(s => _plannedStatistics.Contains(s.Oid)))
                Add("statistics", s.Name.Quoted, StatisticsDdl.Comment(s, s.Name with { Name = naming.Child(t.Oid, s.Name.Name) }), table);
        }
        foreach (var s in StatisticsOnOutsideRelations().SelectMany(g => g).Where(s => _plannedStatistics.Contains(s.Oid)))
            Add("statistics", s.Name.Quoted, StatisticsDdl.Comment(s, s.Name));
        return statements.Select(s => new DdlStatement(s.Kind, s.Name, s.Sql) { Table = s.Table });
    }
}
