using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using PgClone.Web.Security;

namespace PgClone.Web.Runs;

/// <summary>
/// The live-progress hub at <see cref="Path"/>: a client (browser script, the CLI's <c>pgclone runs watch</c>,
/// any SignalR client with a cookie or an API token) calls <see cref="WatchRun"/> or <see cref="WatchDashboard"/>
/// and receives <see cref="ProgressMethod"/> messages carrying a <see cref="RunProgress"/>. Blazor components on
/// the console do not connect here: they inject <see cref="RunProgressFeed"/>.
/// </summary>
[Authorize(Policy = Policies.ReadHistory)]
public sealed class ProgressHub(RunProgressBroker broker) : Hub
{
    public const string Path = "/hubs/progress";
    /// <summary>The client method every update is sent to, with one <see cref="RunProgress"/> argument.</summary>
    public const string ProgressMethod = "Progress";
    public const string DashboardGroup = "dashboard";

    public static string RunGroup(long runId) => $"run:{runId}";

    /// <summary>Receive the updates of one run (and, as soon as it has one, its current state).</summary>
    public async Task<RunProgress?> WatchRun(long runId)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, RunGroup(runId), Context.ConnectionAborted);
        return broker.Latest(runId);
    }

    public Task UnwatchRun(long runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, RunGroup(runId), Context.ConnectionAborted);

    /// <summary>Receive the updates of every run (the dashboard and the Jobs page).</summary>
    public Task WatchDashboard() => Groups.AddToGroupAsync(Context.ConnectionId, DashboardGroup, Context.ConnectionAborted);

    public Task UnwatchDashboard() => Groups.RemoveFromGroupAsync(Context.ConnectionId, DashboardGroup, Context.ConnectionAborted);
}
