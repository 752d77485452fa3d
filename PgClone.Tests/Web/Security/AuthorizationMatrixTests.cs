using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PgClone.Tests.Fixtures;
using PgClone.Web.Data;
using PgClone.Web.Security;

namespace PgClone.Tests.Web.Security;

/// <summary>
/// The one authorization matrix, checked against README and against every route the console maps: each page and
/// endpoint, as anonymous and as each role, answers as the matrix says. Routes come from the app's own route table,
/// so a new page or endpoint is checked the moment it exists, and one without a policy fails unless listed below.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class AuthorizationMatrixTests(PgServersFixture fx)
{
    /// <summary>Open to anyone by design: signing in, errors, health probes.</summary>
    private static readonly string[] AnonymousByDesign = ["/Account/Login", "/first-run", "/Error", "/healthz", "/readyz"];

    /// <summary>Scalar's own script and icon for /api/docs: public files, like the console's scripts.</summary>
    private static readonly string[] PublicFiles = ["/api/docs/scalar.js", "/api/docs/scalar.aspnetcore.js", "/api/docs/favicon.svg"];

    /// <summary>Any signed-in user, whatever the role, by design.</summary>
    private static readonly string[] AnyUserByDesign = ["/Account/AccessDenied", "/Account/Logout"];

    /// <summary>Blazor's own plumbing (the circuit's hub, its redirect helper): the fallback policy (a login) guards it.</summary>
    private static readonly Regex Framework = FrameworkRoutes();

    private static readonly string?[] Callers = [null, AppRoles.Auditor, AppRoles.Operator, AppRoles.Admin];

    [Fact]
    public void Readme_shows_the_matrix()
    {
        var readme = File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "README.md"));
        var table = MarkdownTable();
        Assert.True(readme.Contains(table, StringComparison.Ordinal), "README.md must contain the authorization matrix exactly as follows:\n" + table);
    }

    [Fact]
    public async Task Every_page_and_endpoint_answers_each_role_as_the_matrix_says()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_matrix");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source, new Dictionary<string, string>
        {
            ["PgClone:Metrics:Prometheus"] = "true", ["PgClone:Security:SignInAttemptsPerMinute"] = "100",
        });
        await ConsoleForms.CreateFirstAdminAsync(console.Client(), "admin@example.com", ConsoleUsers.Password);
        var clients = new Dictionary<string, HttpClient> { ["anonymous"] = console.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }) };
        clients[AppRoles.Admin] = ConsoleUsers.WithCookie(console, await ConsoleUsers.LogInAsync(console, "admin@example.com"));
        foreach (var role in new[] { AppRoles.Operator, AppRoles.Auditor })
        {
            await ConsoleUsers.AddAsync(console, $"{role.ToLowerInvariant()}@example.com", role);
            clients[role] = ConsoleUsers.WithCookie(console, await ConsoleUsers.LogInAsync(console, $"{role.ToLowerInvariant()}@example.com"));
        }

        var endpoints = console.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Where(e => !IsStaticAsset(e)).ToList();
        Assert.Contains(endpoints, e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null);
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.StartsWith("/api/v1/", StringComparison.Ordinal));
        var failures = new List<string>();
        var checkedRoutes = 0;
        foreach (var endpoint in endpoints)
        {
            var path = Path(endpoint);
            var rule = Rule(endpoint, path);
            if (rule is null)
            {
                failures.Add($"{endpoint.DisplayName} ({path}) has no policy: give it [Authorize(Policy = Policies.X)] / .RequireAuthorization(Policies.X), or list it as anonymous or any-user by design");
                continue;
            }
            var method = Method(endpoint);
            var isPage = endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null;
            foreach (var caller in Callers)
            {
                var response = await clients[caller ?? "anonymous"].SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
                var outcome = Outcome(response, path);
                var expected = caller is null ? (rule.Anonymous ? "allowed" : "login") : rule.Allows(caller) ? "allowed" : "denied";
                if (outcome != expected)
                    failures.Add($"{method} {path} ({(isPage ? "page" : "endpoint")}) as {caller ?? "anonymous"}: expected {expected}, got {outcome} ({(int)response.StatusCode} {response.Headers.Location})");
                checkedRoutes++;
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(checkedRoutes >= 4 * 20, $"only {checkedRoutes} requests: the route table was not walked");
    }

    private sealed record AccessRule(bool Anonymous, IReadOnlyList<string> Policies)
    {
        public bool Allows(string role) => Policies.All(p => AuthorizationMatrix.Allows(role, p));
    }

    /// <summary>What the endpoint's own metadata demands; null when nothing but the fallback guards it and it is not listed.</summary>
    private static AccessRule? Rule(RouteEndpoint endpoint, string path)
    {
        var pattern = endpoint.RoutePattern.RawText!;
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            return AnonymousByDesign.Contains(pattern, StringComparer.OrdinalIgnoreCase) || PublicFiles.Contains(pattern) ? new AccessRule(true, []) : null;
        var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
        if (policies.Count > 0) return new AccessRule(false, policies);
        return AnyUserByDesign.Contains(pattern, StringComparer.OrdinalIgnoreCase) || Framework.IsMatch(path) ? new AccessRule(false, []) : null;
    }

    /// <summary>
    /// allowed (past authorization: any answer but a refusal, 404 included), login (sent to sign in / 401) or denied
    /// (403 / AccessDenied). Authorization's redirects carry a ReturnUrl; a page's own redirect (the first-run page
    /// once an admin exists) does not.
    /// </summary>
    private static string Outcome(HttpResponseMessage response, string path)
    {
        var location = response.Headers.Location?.OriginalString ?? "";
        if (response.StatusCode == HttpStatusCode.Unauthorized) return SecurityServices.IsApiPath(new PathString(path)) ? "login" : "401 outside the API";
        if (response.StatusCode == HttpStatusCode.Forbidden) return SecurityServices.IsApiPath(new PathString(path)) ? "denied" : "403 outside the API";
        if (response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/Login?ReturnUrl=", StringComparison.Ordinal)) return "login";
        if (response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/AccessDenied?ReturnUrl=", StringComparison.Ordinal)) return "denied";
        return "allowed";
    }

    private static string Method(RouteEndpoint endpoint)
    {
        var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
        return methods.Contains("GET") ? "GET" : methods[0];
    }

    /// <summary>The route with every parameter set to 0 (no such object: 404 still proves authorization let it through).</summary>
    private static string Path(RouteEndpoint endpoint)
    {
        var path = RouteParameter().Replace(endpoint.RoutePattern.RawText!, "0");
        return path.StartsWith('/') ? path : "/" + path;
    }

    // MapStaticAssets: one endpoint per file of wwwroot and of the packages (public, like any web server's files),
    // and UseStaticWebAssets' fallback for files of the build output ({**path:file}).
    private static bool IsStaticAsset(RouteEndpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().FullName == "Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor")
        || endpoint.RoutePattern.RawText!.Contains(":file}", StringComparison.Ordinal);

    /// <summary>README's table: one row per action (policy), one column per role.</summary>
    public static string MarkdownTable()
    {
        var text = new StringBuilder();
        text.Append("| action (policy) | ").AppendJoin(" | ", AppRoles.All).Append(" |\n");
        text.Append("|---|").AppendJoin("", AppRoles.All.Select(_ => ":-:|")).Append('\n');
        foreach (var (policy, _) in AuthorizationMatrix.RolesByPolicy)
            text.Append($"| `{policy}` | ").AppendJoin(" | ", AppRoles.All.Select(r => AuthorizationMatrix.Allows(r, policy) ? "yes" : "—")).Append(" |\n");
        return text.ToString();
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "PgClone.sln"))) return dir.FullName;
        throw new InvalidOperationException("PgClone.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("^/_(blazor|framework)(/|$)")]
    private static partial Regex FrameworkRoutes();
}
