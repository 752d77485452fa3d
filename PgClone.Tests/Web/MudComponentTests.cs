using Bunit;
using MudBlazor.Services;

namespace PgClone.Tests.Web;

/// <summary>
/// A bUnit context for the console's MudBlazor components: MudBlazor's services, JS calls answered loosely (MudBlazor
/// calls into the browser on render), and disposed asynchronously as MudBlazor's services require.
/// </summary>
public abstract class MudComponentTests : BunitContext, IAsyncLifetime
{
    protected MudComponentTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
