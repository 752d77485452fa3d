using Microsoft.AspNetCore.Identity;

namespace PgClone.Web.Data;

/// <summary>A console user. Identity's columns are enough for now; later issues add profile fields here.</summary>
public sealed class ApplicationUser : IdentityUser;
