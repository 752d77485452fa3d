using System.Collections.Concurrent;
using System.Net;
using PgClone.Core.LocalServer;

namespace PgClone.Tests.Web.Schedules;

/// <summary>A local HTTP receiver for webhooks: records each request (body and signature), failing the first ones with 500 when told.</summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _failFirst;

    public sealed record Received(string Body, string? Signature, string? ContentType, int AnsweredWith);

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; }

    public WebhookListener(int failFirst = 0)
    {
        _failFirst = failFirst;
        Url = $"http://127.0.0.1:{LocalCluster.FreePort()}/hooks/pgclone/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var status = Interlocked.Decrement(ref _failFirst) >= 0 ? 500 : 200;
            Requests.Enqueue(new Received(body, context.Request.Headers["X-PgClone-Signature"], context.Request.ContentType, status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public async Task<List<Received>> WaitAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (Requests.Count < count && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.True(Requests.Count >= count, $"webhook: {Requests.Count} of {count} requests arrived");
        return [.. Requests];
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }
}
