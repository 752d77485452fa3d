namespace PgClone.Web.Audit;

/// <summary>The kinds of audited action, as stored in <c>audit_entries.Action</c> and offered by the Audit page's filter.</summary>
public static class AuditActions
{
    public const string SignInSucceeded = "sign-in.succeeded";
    public const string SignInFailed = "sign-in.failed";
    public const string SignInLockedOut = "sign-in.locked-out";
    public const string SignInThrottled = "sign-in.throttled";
    public const string SignedOut = "sign-out";
    public const string PasswordChanged = "user.password-changed";

    public const string UserCreated = "user.created";
    public const string UserRoleChanged = "user.role-changed";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string UserUnlocked = "user.unlocked";
    public const string UserPasswordReset = "user.password-reset";
    public const string UserMustChangePassword = "user.must-change-password";

    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";

    public const string ConnectionCreated = "connection.created";
    public const string ConnectionChanged = "connection.changed";
    public const string ConnectionGranted = "connection.granted";
    public const string ConnectionDeleted = "connection.deleted";

    public const string ProfileCreated = "profile.created";
    public const string ProfileChanged = "profile.changed";
    public const string ProfileDeleted = "profile.deleted";

    public const string RoleTemplateCreated = "role-template.created";
    public const string RoleTemplateChanged = "role-template.changed";
    public const string RoleTemplateDeleted = "role-template.deleted";

    public const string RunStarted = "run.started";
    public const string RunResumed = "run.resumed";
    public const string RunCancelled = "run.cancelled";
    public const string RunFinished = "run.finished";
    public const string RunsCleared = "runs.cleared";
    public const string RolesCloned = "roles.cloned";

    public const string MaskingPolicyCreated = "masking-policy.created";
    public const string MaskingPolicyChanged = "masking-policy.changed";
    public const string MaskedViewCreated = "masked-view.created";
    public const string MaskedViewDropped = "masked-view.dropped";
    public const string MaskInPlace = "mask-in-place";

    public const string SchemaDiffed = "schema.diffed";
    public const string SchemaVerified = "schema.verified";

    public const string RunSummaryExported = "export.run-summary";
    public const string DiffExported = "export.diff";
    public const string AuditExported = "export.audit";
    public const string AuditVerified = "audit.verified";

    /// <summary>Every action, in the filter's order.</summary>
    public static readonly IReadOnlyList<string> All = [.. typeof(AuditActions).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!)];
}
