using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Web;

/// <summary>
/// The real console (PgClone.Web's Program) in this process, configured only through settings, as a user
/// would: ConnectionStrings:PgClone for an existing server, or PgClone:DataDirectory for embedded mode.
/// </summary>
public sealed class ConsoleFactory(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
{
    public static ConsoleFactory OnDatabase(string connectionString) => new(new Dictionary<string, string> { ["ConnectionStrings:PgClone"] = connectionString });

    /// <summary>On an existing database, with more settings (e.g. "PgClone:Security:MaxFailedSignIns").</summary>
    public static ConsoleFactory OnDatabase(string connectionString, IReadOnlyDictionary<string, string> more) =>
        new(new Dictionary<string, string>(more) { ["ConnectionStrings:PgClone"] = connectionString });

    /// <summary>Receives the console's log lines as well.</summary>
    public ILoggerProvider? Logs { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (Logs is { } logs) builder.ConfigureLogging(l => l.AddProvider(logs));
    }

    /// <summary>Stopping the console is bounded: a shutdown that hangs fails the test that started it, by name.</summary>
    public override async ValueTask DisposeAsync() =>
        await Bounded.Within(base.DisposeAsync().AsTask(), TimeSpan.FromMinutes(2), "stopping the console");

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public HttpClient Client() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Starts Kestrel on a free port and returns the console's base URL.</summary>
    public string StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1").TrimEnd('/');
    }
}

/// <summary>The static-SSR forms of the console (first run, login) as a browser posts them.</summary>
public static partial class ConsoleForms
{
    public static string AntiforgeryToken(string html) =>
        HiddenValue(html, "__RequestVerificationToken") ?? throw new InvalidOperationException("no antiforgery token in the page");

    public static string? HiddenValue(string html, string name)
    {
        foreach (Match input in InputTag().Matches(html))
            if (input.Value.Contains($"name=\"{name}\"") && ValueAttribute().Match(input.Value) is { Success: true } v)
                return WebUtility.HtmlDecode(v.Groups[1].Value);
        return null;
    }

    /// <summary>GETs the page, then posts the named form with its antiforgery token and the given fields.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string handler, IReadOnlyDictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        var form = new Dictionary<string, string>(fields) { ["_handler"] = handler, ["__RequestVerificationToken"] = AntiforgeryToken(page) };
        return await client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    public static Task<HttpResponseMessage> CreateFirstAdminAsync(HttpClient client, string email, string password, string? confirm = null) =>
        PostAsync(client, "/first-run", "first-run", new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.Password"] = password, ["Input.ConfirmPassword"] = confirm ?? password,
        });

    public static Task<HttpResponseMessage> LogInAsync(HttpClient client, string email, string password, string path = "/Account/Login") =>
        PostAsync(client, path, "login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    [GeneratedRegex("<input[^>]*>")]
    private static partial Regex InputTag();

    [GeneratedRegex("value=\"([^\"]*)\"")]
    private static partial Regex ValueAttribute();
}

/// <summary>
/// The console's API and page tests, one class at a time, beside the browser tests (<see cref="BrowserCollection"/>):
/// two chains, so that at most two in-process consoles (each with its runs, and Chromium for the browser's) load the
/// machine at once. Hosts side by side share nothing: each has its own database, and Quartz 4 keeps each host's
/// scheduler in its own container. In one chain the forty classes ran alone for the suite's last nine minutes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<PgClone.Tests.Fixtures.PgServersFixture>
{
    public const string Name = "Console host";
}

/// <summary>The browser tests (PgClone.Tests.E2E), one class at a time, beside <see cref="ConsoleCollection"/>.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<PgClone.Tests.Fixtures.PgServersFixture>
{
    public const string Name = "Console in a browser";
}
