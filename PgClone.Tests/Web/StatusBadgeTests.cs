using Bunit;
using PgClone.Web.Components.Shared;
using Radzen;

namespace PgClone.Tests.Web;

/// <summary>The status badge: one colour per state, the label capitalised, an optional tooltip.</summary>
public sealed class StatusBadgeTests : BunitContext
{
    public StatusBadgeTests() => Services.AddRadzenComponents();

    [Theory]
    [InlineData("queued", "info", "Queued")]
    [InlineData("RUNNING", "primary", "Running")]
    [InlineData("succeeded", "success", "Succeeded")]
    [InlineData("Failed", "danger", "Failed")]
    [InlineData("cancelled", "warning", "Cancelled")]
    [InlineData("paused", "base", "Paused")]
    public void Renders_each_state_with_its_colour(string status, string colour, string label)
    {
        var cut = Render<StatusBadge>(p => p.Add(b => b.Status, status));

        // Radzen gives every badge a random id; the rest of the markup is exact.
        cut.MarkupMatches($"""<span id:ignore class="rz-badge rz-badge-{colour} rz-variant-filled rz-shade-lighter rz-badge-pill">{label}</span>""");
    }

    [Fact]
    public void Shows_the_title_as_a_tooltip()
    {
        var cut = Render<StatusBadge>(p => p.Add(b => b.Status, "running").Add(b => b.Title, "3 of 8 tables"));

        cut.MarkupMatches("""<span title="3 of 8 tables" id:ignore class="rz-badge rz-badge-primary rz-variant-filled rz-shade-lighter rz-badge-pill">Running</span>""");
    }
}
