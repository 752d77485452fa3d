namespace PgClone.Web.Security;

/// <summary>
/// Every sign-in outcome passes through here, so the log (and later the audit trail) has one source.
/// Passwords never reach this class.
/// </summary>
public sealed partial class SignInEvents(ILogger<SignInEvents> log)
{
    public void Succeeded(string email, string? address) => LogSucceeded(email, address ?? "unknown");

    public void Failed(string email, string? address, string reason) => LogFailed(email, address ?? "unknown", reason);

    public void LockedOut(string email, string? address) => LogLockedOut(email, address ?? "unknown");

    public void Throttled(string? address) => LogThrottled(address ?? "unknown");

    public void SignedOut(string email) => LogSignedOut(email);

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
