using PgClone.Web.Audit;

namespace PgClone.Web.Security;

/// <summary>
/// Every sign-in outcome passes through here, so the log and the audit trail have one source.
/// Passwords never reach this class.
/// </summary>
public sealed partial class SignInEvents(ILogger<SignInEvents> log, AuditLog audit)
{
    public Task SucceededAsync(string email, string? address)
    {
        LogSucceeded(email, address ?? "unknown");
        return audit.RecordAsync(AuditActions.SignInSucceeded, $"user {email}", actor: new AuditActor(Runs.RunActorKinds.User, email, address));
    }

    public Task FailedAsync(string email, string? address, string reason)
    {
        LogFailed(email, address ?? "unknown", reason);
        return audit.RecordAsync(AuditActions.SignInFailed, $"user {email}", new { reason }, actor: new AuditActor(AuditActor.Anonymous, email, address));
    }

    public Task LockedOutAsync(string email, string? address)
    {
        LogLockedOut(email, address ?? "unknown");
        return audit.RecordAsync(AuditActions.SignInLockedOut, $"user {email}", actor: new AuditActor(AuditActor.Anonymous, email, address));
    }

    public Task ThrottledAsync(string? address)
    {
        LogThrottled(address ?? "unknown");
        return audit.RecordAsync(AuditActions.SignInThrottled, $"address {address ?? "unknown"}", actor: new AuditActor(AuditActor.Anonymous, "anonymous", address));
    }

    public Task SignedOutAsync(string email, string? address)
    {
        LogSignedOut(email);
        return audit.RecordAsync(AuditActions.SignedOut, $"user {email}", actor: new AuditActor(Runs.RunActorKinds.User, email, address));
    }

    public Task PasswordChangedAsync(string email, string? address) =>
        audit.RecordAsync(AuditActions.PasswordChanged, $"user {email}", actor: new AuditActor(Runs.RunActorKinds.User, email, address));

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Sign-in of {Email} from {Address} succeeded")]
    private partial void LogSucceeded(string email, string address);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Sign-in of {Email} from {Address} failed: {Reason}")]
    private partial void LogFailed(string email, string address, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Account {Email} is locked out (sign-in from {Address})")]
    private partial void LogLockedOut(string email, string address);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Sign-in attempts from {Address} throttled")]
    private partial void LogThrottled(string address);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "{Email} signed out; all of the account's sessions ended")]
    private partial void LogSignedOut(string email);
}
