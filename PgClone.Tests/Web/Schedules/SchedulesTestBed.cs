using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PgClone.Web.Runs;
using PgClone.Web.Schedules;
using static PgClone.Tests.Web.Runs.RunsTestBed;

namespace PgClone.Tests.Web.Schedules;

/// <summary>What the schedules tests share: profiles and schedules through the API, and waiting for a schedule's runs.</summary>
public static class SchedulesTestBed
{
    public static async Task<int> CreateProfileAsync(HttpClient http, string name, RunRequest request)
    {
        var response = await http.PostAsJsonAsync("api/v1/profiles", new ProfileDraft(name, null, request), Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetInt32();
    }

    public static async Task<ScheduleInfo> CreateScheduleAsync(HttpClient http, ScheduleDraft draft)
    {
        var response = await http.PostAsJsonAsync("api/v1/schedules", draft, Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ScheduleInfo>(Json))!;
    }

    public static async Task<List<ScheduleInfo>> ListAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<List<ScheduleInfo>>("api/v1/schedules", Json))!;

    public static async Task<List<RunSummary>> HistoryAsync(HttpClient http, int scheduleId) =>
        [.. (await http.GetFromJsonAsync<RunPage>($"api/v1/schedules/{scheduleId}/history?take=500", Json))!.Items];

    /// <summary>Waits until the schedule's history has a run that satisfies <paramref name="until"/>.</summary>
    public static async Task<RunSummary> WaitRunAsync(HttpClient http, int scheduleId, Func<RunSummary, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var runs = await HistoryAsync(http, scheduleId);
            if (runs.FirstOrDefault(until) is { } run) return run;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"schedule #{scheduleId}: no such run; history: {JsonSerializer.Serialize(runs.Select(r => new { r.Id, r.Status, r.QueueReason, r.Error }))}");
            await Task.Delay(200);
        }
    }

    public static async Task PostAsync(HttpClient http, string path, HttpStatusCode expected)
    {
        var response = await http.PostAsync(path, null);
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
