using Bunit;
using PgClone.Web.Components.Shared;
using PgClone.Web.Security;

namespace PgClone.Tests.Web.Connections;

/// <summary>A picker with no connection to offer says how to get one, as the user can: add it, or ask for it.</summary>
public sealed class ConnectionPickerTests : MudComponentTests
{
    [Fact]
    public void Who_may_manage_connections_is_sent_to_add_one()
    {
        AddAuthorization().SetAuthorized("admin@example.com").SetPolicies(Policies.ManageConnections);
        var cut = Render<ConnectionPicker>(p => p.Add(c => c.Connections, []).Add(c => c.Side, "Target").Add(c => c.Id, "target-picker"));
        Assert.Equal("No connection you may use as a target. Add a connection or grant yourself access to one.", Normalized(cut.Find("#target-picker").TextContent));
        Assert.Equal("connections", cut.Find("#target-picker a.add-connection").GetAttribute("href"));
    }

    [Fact]
    public void Who_may_not_is_told_to_ask_and_offered_no_link()
    {
        AddAuthorization().SetAuthorized("op@example.com");
        var cut = Render<ConnectionPicker>(p => p.Add(c => c.Connections, []).Add(c => c.Side, "Source").Add(c => c.Id, "source-picker"));
        Assert.Equal("No connection you may use as a source. Ask an administrator to share one with you.", Normalized(cut.Find("#source-picker").TextContent));
        Assert.Empty(cut.FindAll("#source-picker a"));
    }

    private static string Normalized(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
