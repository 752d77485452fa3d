using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PgClone.Web.Data;

namespace PgClone.Tests.Web.Security;

/// <summary>Users and sessions for the security tests: users straight through Identity, logins through the real form.</summary>
public static class ConsoleUsers
{
    public const string Password = "Correct-horse-42!";

    public static async Task<ApplicationUser> AddAsync(ConsoleFactory console, string email, string role, string password = Password)
    {
        await using var scope = console.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        Assert.True((await users.CreateAsync(user, password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return user;
    }

    /// <summary>Logs in through the form and returns the login cookie exactly as the browser would store it.</summary>
    public static async Task<string> LogInAsync(ConsoleFactory console, string email, string password = Password)
    {
        var response = await ConsoleForms.LogInAsync(console.Client(), email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return AuthCookie(response);
    }

    public static string AuthCookie(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith("PgClone.Auth", StringComparison.Ordinal)).Select(c => c.Split(';')[0]));

    /// <summary>A client with no cookie jar that sends exactly the given cookie (a stolen or kept one).</summary>
    public static HttpClient WithCookie(ConsoleFactory console, string cookie)
    {
        var client = console.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    public static HttpClient WithToken(ConsoleFactory console, string token)
    {
        var client = console.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }
}

/// <summary>Keeps every log line the console writes, to check what is (and is not) logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}
