namespace PgClone.Core.Ddl;

/// <summary>
/// Something the planner meets that the preflight lists instead of stopping at: a blocking one (an extension the
/// target lacks, a name taken under conflict=error) is what a clone would fail on; a non-blocking one says what
/// the conflict strategy will do to an existing object.
/// </summary>
/// <param name="Kind"><c>extension</c> or <c>conflict</c>.</param>
/// <param name="Error">For a blocking issue, the error the clone would fail with.</param>
public sealed record PlanIssue(string Kind, bool Blocking, string Object, string Message, PgCloneException? Error = null);
