using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PgClone.Web.Data;
using Quartz;

namespace PgClone.Web.Schedules;

/// <summary>
/// One attempt to deliver a webhook call: POST the JSON body with <c>X-PgClone-Signature: sha256=&lt;hex&gt;</c>. A
/// failure (no answer, or a status outside 2xx) queues the next attempt after an exponential backoff
/// (<see cref="SchedulesOptions.WebhookBackoff"/> × 2^(attempt-1)), up to <see cref="SchedulesOptions.WebhookAttempts"/>.
/// </summary>
public sealed class WebhookJob(
    IDbContextFactory<PgCloneDbContext> factory,
    IHttpClientFactory http,
    IDataProtectionProvider protection,
    IOptions<SchedulesOptions> options,
    ILogger<WebhookJob> log) : IJob
{
    public const string Group = "webhooks";
    public const string HttpClientName = "pgclone-webhooks";
    private const string WebhookKey = "webhookId", RunKey = "runId", BodyKey = "body", AttemptKey = "attempt";

    public static async Task QueueAsync(IScheduler scheduler, int webhookId, long runId, string body, int attempt, DateTimeOffset at, CancellationToken ct)
    {
        var job = JobBuilder.Create<WebhookJob>()
            .WithIdentity($"webhook-{webhookId}-run-{runId}-{attempt}", Group)
            .UsingJobData(WebhookKey, webhookId.ToString(CultureInfo.InvariantCulture))
            .UsingJobData(RunKey, runId.ToString(CultureInfo.InvariantCulture))
            .UsingJobData(BodyKey, body)
            .UsingJobData(AttemptKey, attempt.ToString(CultureInfo.InvariantCulture))
            .Build();
        var trigger = TriggerBuilder.Create().WithIdentity(job.Key.Name, Group).StartAt(at).Build();
        await scheduler.ScheduleJob(job, trigger, default, ct);
    }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var data = context.MergedJobDataMap;
        var webhookId = int.Parse(data.GetString(WebhookKey)!, CultureInfo.InvariantCulture);
        var runId = long.Parse(data.GetString(RunKey)!, CultureInfo.InvariantCulture);
        var attempt = int.Parse(data.GetString(AttemptKey)!, CultureInfo.InvariantCulture);
        var body = data.GetString(BodyKey)!;
        await using var db = await factory.CreateDbContextAsync(ct);
        var hook = await db.ScheduleWebhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == webhookId, ct);
        if (hook is null) return;
        var failure = await DeliverAsync(hook, body, ct);
        if (failure is null)
        {
            log.LogInformation("webhook {Url}: run {RunId} delivered (attempt {Attempt})", hook.Url, runId, attempt);
            return;
        }
        var settings = options.Value;
        if (attempt >= settings.WebhookAttempts)
        {
            log.LogWarning("webhook {Url}: run {RunId} not delivered after {Attempts} attempts: {Failure}", hook.Url, runId, attempt, failure);
            return;
        }
        var delay = settings.WebhookBackoff * Math.Pow(2, attempt - 1);
        log.LogInformation("webhook {Url}: run {RunId} attempt {Attempt} failed ({Failure}); next in {Delay}", hook.Url, runId, attempt, failure, delay);
        await QueueAsync(context.Scheduler, webhookId, runId, body, attempt + 1, DateTimeOffset.UtcNow + delay, ct);
    }

    /// <summary>Null when the receiver answered 2xx, else why not.</summary>
    private async Task<string?> DeliverAsync(ScheduleWebhook hook, string body, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var secret = protection.CreateProtector(WebhookSecrets.Purpose).Unprotect(hook.SecretEncrypted);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSecrets.SignatureHeader, WebhookSecrets.Sign(secret, bytes));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.WebhookTimeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return e is OperationCanceledException ? "timed out" : e.Message;
        }
    }
}
