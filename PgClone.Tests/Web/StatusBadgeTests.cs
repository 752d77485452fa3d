using Bunit;
using PgClone.Web.Components.Shared;

namespace PgClone.Tests.Web;

/// <summary>The status badge: one colour per state, the label capitalised, an optional tooltip.</summary>
public sealed class StatusBadgeTests : MudComponentTests
{
    [Theory]
    [InlineData("queued", "info", "Queued")]
    [InlineData("RUNNING", "primary", "Running")]
    [InlineData("succeeded", "success", "Succeeded")]
    [InlineData("Failed", "error", "Failed")]
    [InlineData("cancelled", "warning", "Cancelled")]
    [InlineData("interrupted", "warning", "Interrupted")]
    [InlineData("paused", "default", "Paused")]
    public void Renders_each_state_with_its_colour(string status, string colour, string label)
    {
        var cut = Render<StatusBadge>(p => p.Add(b => b.Status, status));

        var chip = cut.Find(".pgclone-status");
        Assert.Contains($"mud-chip-color-{colour}", chip.ClassList);
        Assert.Equal(label, chip.TextContent.Trim());
    }

    [Fact]
    public void Shows_the_title_as_a_tooltip()
    {
        var cut = Render<StatusBadge>(p => p.Add(b => b.Status, "running").Add(b => b.Title, "3 of 8 tables"));

        Assert.Equal("3 of 8 tables", cut.Find(".pgclone-status").GetAttribute("title"));
    }
}
