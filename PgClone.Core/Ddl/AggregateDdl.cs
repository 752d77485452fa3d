using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>CREATE AGGREGATE with the clauses pg_dump writes: only those that differ from the defaults.</summary>
internal static class AggregateDdl
{
    public static KindObject Render(AggregateInfo a)
    {
        var args = a.Arguments.Length == 0 ? "*" : a.Arguments;
        // Ordered-set and hypothetical aggregates modify their state in the final function by default.
        var defaultModify = a.Kind == 'n' ? 'r' : 'w';
        var clauses = new List<string> { $"SFUNC = {a.TransFn}", $"STYPE = {a.StateType}" };
        if (a.StateSpace != 0) clauses.Add($"SSPACE = {a.StateSpace}");
        if (a.InitValue is not null) clauses.Add($"INITCOND = {Sql.Literal(a.InitValue)}");
        if (a.FinalFn is not null)
        {
            clauses.Add($"FINALFUNC = {a.FinalFn}");
            if (a.FinalExtra) clauses.Add("FINALFUNC_EXTRA");
            if (a.FinalModify != defaultModify) clauses.Add($"FINALFUNC_MODIFY = {Modify(a.FinalModify)}");
        }
        if (a.CombineFn is not null) clauses.Add($"COMBINEFUNC = {a.CombineFn}");
        if (a.SerialFn is not null) clauses.Add($"SERIALFUNC = {a.SerialFn}");
        if (a.DeserialFn is not null) clauses.Add($"DESERIALFUNC = {a.DeserialFn}");
        if (a.MovingTransFn is not null)
        {
            clauses.Add($"MSFUNC = {a.MovingTransFn}");
            clauses.Add($"MINVFUNC = {a.MovingInverseFn}");
            clauses.Add($"MSTYPE = {a.MovingStateType}");
            if (a.MovingStateSpace != 0) clauses.Add($"MSSPACE = {a.MovingStateSpace}");
            if (a.MovingInitValue is not null) clauses.Add($"MINITCOND = {Sql.Literal(a.MovingInitValue)}");
            if (a.MovingFinalFn is not null)
            {
                clauses.Add($"MFINALFUNC = {a.MovingFinalFn}");
                if (a.MovingFinalExtra) clauses.Add("MFINALFUNC_EXTRA");
                if (a.MovingFinalModify != defaultModify) clauses.Add($"MFINALFUNC_MODIFY = {Modify(a.MovingFinalModify)}");
            }
        }
        if (a.SortOperator is not null) clauses.Add($"SORTOP = {a.SortOperator}");
        if (a.Kind == 'h') clauses.Add("HYPOTHETICAL");
        if (a.Parallel is 's' or 'r') clauses.Add($"PARALLEL = {(a.Parallel == 's' ? "SAFE" : "RESTRICTED")}");
        var identity = $"AGGREGATE {a.Name.Quoted}({(a.IdentityArguments.Length == 0 ? "*" : a.IdentityArguments)})";
        return new KindObject(new ObjectKey('f', a.Oid), "aggregate", a.Signature, DumpSection.PreData,
            [$"CREATE AGGREGATE {a.Name.Quoted}({args}) (\n    {string.Join(",\n    ", clauses)}\n)"])
        {
            Comment = a.Comment is null ? null : $"COMMENT ON {identity} IS {Sql.Literal(a.Comment)}",
            Owner = a.Owner, OwnerTarget = identity,
        };
    }

    private static string Modify(char m) => m switch { 'r' => "READ_ONLY", 's' => "SHAREABLE", _ => "READ_WRITE" };
}
