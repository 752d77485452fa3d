using Microsoft.AspNetCore.Identity;

namespace PgClone.Web.Data;

/// <summary>A console user: Identity's columns plus what the Users page manages.</summary>
public sealed class ApplicationUser : IdentityUser
{
    /// <summary>A disabled user cannot sign in, and neither the user's sessions nor API tokens work.</summary>
    public bool IsDisabled { get; set; }

    /// <summary>Set when an Admin creates the user or resets the password: the next sign-in leads to the password page.</summary>
    public bool MustChangePassword { get; set; }

    public DateTimeOffset? LastSignInAt { get; set; }
}
