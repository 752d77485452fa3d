using Microsoft.AspNetCore.Http.HttpResults;
using PgClone.Web.Security;
using PgClone.Web.Users;

namespace PgClone.Web.Api;

/// <summary>Console users, for Admins: the same service the Users page uses.</summary>
public static class UsersApi
{
    public sealed record NewUser(string Email, string Role, string Password);
    public sealed record RoleChange(string Role);
    public sealed record TemporaryPassword(string Password);

    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder v1)
    {
        var users = v1.MapGroup("/users").RequireAuthorization(Policies.ManageUsers).WithTags("Users");
        users.MapGet("/", (UserService s, CancellationToken ct) => s.ListAsync(ct)).WithSummary("All console users");
        users.MapGet("/{id}", (string id, UserService s, CancellationToken ct) => s.GetAsync(id, ct)).WithSummary("One user");
        users.MapPost("/", async Task<Created<UserRow>> (NewUser body, UserService s, CancellationToken ct) =>
        {
            var user = await s.CreateAsync(body.Email, body.Role, body.Password, ct);
            return TypedResults.Created($"/api/v1/users/{user.Id}", user);
        }).WithSummary("Create a user (who must change the password at the first sign-in)");
        users.MapPut("/{id}/role", async Task<NoContent> (string id, RoleChange body, UserService s, CancellationToken ct) =>
        {
            await s.ChangeRoleAsync(id, body.Role, ct);
            return TypedResults.NoContent();
        }).WithSummary("Change a user's role (ends the user's sessions)");
        users.MapPost("/{id}/disable", (string id, UserService s, CancellationToken ct) => Done(s.SetDisabledAsync(id, true, ct))).WithSummary("Disable a user");
        users.MapPost("/{id}/enable", (string id, UserService s, CancellationToken ct) => Done(s.SetDisabledAsync(id, false, ct))).WithSummary("Enable a user");
        users.MapPost("/{id}/unlock", (string id, UserService s, CancellationToken ct) => Done(s.UnlockAsync(id, ct))).WithSummary("Unlock a locked-out user");
        users.MapPost("/{id}/force-password-change", (string id, UserService s, CancellationToken ct) => Done(s.ForcePasswordChangeAsync(id, ct)))
            .WithSummary("Make the user change the password at the next sign-in");
        users.MapPost("/{id}/reset-password", async Task<Ok<TemporaryPassword>> (string id, UserService s, CancellationToken ct) =>
            TypedResults.Ok(new TemporaryPassword(await s.ResetPasswordAsync(id, ct)))).WithSummary("Set a temporary password, returned once");
        return v1;
    }

    private static async Task<NoContent> Done(Task change)
    {
        await change;
        return TypedResults.NoContent();
    }
}
