using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgClone.Core;

namespace PgClone.Cli.Commands;

/// <summary>
/// The console's REST API for scripts: base URL from --console, the token from PGCLONE_TOKEN sent as
/// <c>Authorization: Bearer</c>. A refusal becomes one line naming the console and its problem detail.
/// </summary>
internal sealed class ConsoleClient(Uri console, string token) : IDisposable
{
    public const string TokenVariable = "PGCLONE_TOKEN";
    private readonly HttpClient _http = new() { BaseAddress = console };

    public Uri Console => console;
    public string Token => token;

    public static ConsoleClient Create(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new PgCloneException($"--console must be the console's http(s) URL, got '{url}'");
        var token = Environment.GetEnvironmentVariable(TokenVariable);
        if (string.IsNullOrWhiteSpace(token))
            throw new PgCloneException($"set {TokenVariable} to a personal API token of the console (My account → API tokens)");
        return new ConsoleClient(uri, token.Trim());
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);
    public Task<JsonElement> PostAsync(string path, JsonObject? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);
    public Task<JsonElement> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try { response = await _http.SendAsync(request, ct); }
        catch (HttpRequestException e) { throw new PgCloneException($"console {console}: {e.Message}", e); }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
                return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            var detail = Problem(text) ?? response.ReasonPhrase;
            throw new PgCloneException($"console {console}: {(int)response.StatusCode} {detail}".TrimEnd());
        }
    }

    private static string? Problem(string text)
    {
        try
        {
            var e = JsonDocument.Parse(text).RootElement;
            return e.TryGetProperty("detail", out var d) && d.GetString() is { Length: > 0 } detail ? detail
                : e.TryGetProperty("title", out var t) ? t.GetString() : null;
        }
        catch (JsonException) { return null; }
    }

    public void Dispose() => _http.Dispose();
}
