using Bunit;
using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Web.Clones;
using PgClone.Web.Components.Pages.Clones;
using PgClone.Web.Connections;

namespace PgClone.Tests.Web.Clones;

/// <summary>The wizard's steps: Next stays on a step until it is complete, and says what is missing.</summary>
public sealed class CloneWizardTests : MudComponentTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
    private static readonly List<ConnectionSummary> Connections =
    [
        new(1, "prod", "db1", 5432, "shop", "reader", SslMode.Prefer, At, "admin", At, "admin"),
        new(2, "staging", "db2", 5432, "shop", "writer", SslMode.Prefer, At, "admin", At, "admin"),
    ];

    private static readonly List<SourceSchema> Catalog =
    [
        new("shop", [new SourceTable(new QualifiedName("shop", "orders"), 1000, 81920, ["id", "total"], false)]),
        new("empty", []),
    ];

    public CloneWizardTests()
    {
        // The browse tree reads a real server (SchemaTreeTests); these tests are about the steps' rules.
        ComponentFactories.AddStub<PgClone.Web.Components.Shared.SchemaTree>("<div class=\"schema-tree-stub\"></div>");
    }

    private IRenderedComponent<CloneWizard> Render(CloneDraft draft) =>
        Render<CloneWizard>(p => p.Add(w => w.Draft, draft).Add(w => w.Sources, Connections).Add(w => w.Targets, Connections).Add(w => w.Catalog, Catalog));

    private static List<string> Problems(IRenderedComponent<CloneWizard> cut) =>
        cut.FindAll("#step-problems .pgclone-problem").Select(d => d.TextContent.Trim()).Where(t => t.Length > 0).ToList();

    /// <summary>The element of the step now shown; on failure the message holds the problems and the markup.</summary>
    private static void Shows(IRenderedComponent<CloneWizard> cut, string selector) =>
        Assert.True(cut.FindAll(selector).Count == 1, $"{selector} not shown; problems: {string.Join(" | ", Problems(cut))}\n{cut.Markup}");

    /// <summary>Clicks Next and waits for its handler: the stepper's step change is asynchronous.</summary>
    private static void Next(IRenderedComponent<CloneWizard> cut) => Click(cut, "#wizard-next");

    private static void Click(IRenderedComponent<CloneWizard> cut, string selector) =>
        cut.Find(selector).ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs()).GetAwaiter().GetResult();

    [Fact]
    public void Connections_step_needs_a_source_and_a_target()
    {
        var cut = Render(new CloneDraft());

        Next(cut);

        Assert.Equal(["Choose the source connection.", "Choose the target connection."], Problems(cut));
        Shows(cut, "#source-picker");
        Assert.Empty(cut.FindAll("#operation-choice"));
    }

    [Fact]
    public void Source_and_target_must_differ_except_for_a_renamed_table()
    {
        var draft = new CloneDraft { SourceId = 1, TargetId = 1 };
        var cut = Render(draft);

        Next(cut);

        Assert.Equal(["Source and target are the same connection: choose another target (only a table clone with a new name may stay on one database)."], Problems(cut));
        draft.TargetId = 2;
        Next(cut);
        Assert.Empty(Problems(cut));
        Shows(cut, "#operation-choice");
    }

    [Fact]
    public void Scope_step_needs_a_schema_then_a_table_for_a_table_clone()
    {
        var draft = new CloneDraft { SourceId = 1, TargetId = 2, Operation = "table" };
        var cut = Render(draft);
        Next(cut);
        Next(cut);
        Shows(cut, "#scope-tree");

        Next(cut);
        Assert.Equal(["Choose a schema.", "Choose a table."], Problems(cut));

        draft.Schema = "shop";
        Next(cut);
        Assert.Equal(["Choose a table."], Problems(cut));

        draft.Table = "orders";
        Next(cut);
        Assert.Empty(Problems(cut));
        Shows(cut, "#option-conflict");
    }

    [Fact]
    public void Options_step_refuses_a_parallelism_out_of_range_and_a_where_with_a_semicolon()
    {
        var draft = new CloneDraft { SourceId = 1, TargetId = 2, Operation = "database", Parallel = 0, Where = "true; DROP TABLE x" };
        var cut = Render(draft);
        Next(cut);
        Next(cut);
        Next(cut);
        Shows(cut, "#option-parallel");

        Next(cut);

        Assert.Equal(["Parallel workers must be between 1 and 256.", "The row filter (where) must be one condition, without ';'."], Problems(cut));
        // The field says it too, where the user types (the list sits at the bottom of a long step).
        Assert.Contains("The row filter (where) must be one condition, without ';'.", cut.FindAll(".mud-input-helper-text.mud-input-error").Select(e => e.TextContent.Trim()));
    }

    [Fact]
    public async Task Options_step_offers_leaving_out_what_the_target_cannot_hold_and_shows_it_in_the_scripts_options()
    {
        var draft = new CloneDraft { SourceId = 1, TargetId = 2, Operation = "database" };
        var cut = Render(draft);
        Next(cut);
        Next(cut);
        Next(cut);
        var element = cut.Find("#option-skip-unsupported");
        var input = element.TagName == "INPUT" ? element : element.QuerySelector("input")!;

        // Awaited: the switch's change handler is asynchronous, and a fire-and-forget Change raced the assertion.
        await input.ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = true });

        Assert.True(draft.SkipUnsupported);
        cut.WaitForAssertion(() => Assert.Contains("\"skip_unsupported\":true", cut.Find(".pgclone-options-json").TextContent));
    }

    [Fact]
    public void Back_returns_to_the_previous_step_and_clears_the_problems()
    {
        var cut = Render(new CloneDraft { SourceId = 1, TargetId = 2 });
        Next(cut);
        Shows(cut, "#operation-choice");

        Click(cut, "#wizard-back");

        Shows(cut, "#source-picker");
        Assert.Empty(Problems(cut));
    }
}
