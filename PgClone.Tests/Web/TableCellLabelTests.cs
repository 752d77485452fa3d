using System.Text.RegularExpressions;
using PgClone.Tests.Web.Security;

namespace PgClone.Tests.Web;

/// <summary>
/// On a phone a MudTable shows each row as a card, each cell under its DataLabel: a cell without one shows a bare value
/// nobody can place. Only a cell of actions (buttons, a menu, a progress bar) may go without.
/// </summary>
public sealed partial class TableCellLabelTests
{
    [Fact]
    public void Every_table_cell_of_the_console_has_a_label_on_a_phone_but_its_actions()
    {
        var web = Path.Combine(AuthorizationMatrixTests.RepositoryRoot(), "PgClone.Web");
        var unlabeled = Directory.EnumerateFiles(web, "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => Cell().Matches(File.ReadAllText(file))
                .Where(cell => !cell.Groups["open"].Value.Contains("DataLabel=", StringComparison.Ordinal) && !Actions().IsMatch(cell.Groups["body"].Value))
                .Select(cell => $"{Path.GetRelativePath(web, file)}: {cell.Value[..Math.Min(cell.Value.Length, 80)]}"))
            .ToList();
        Assert.Empty(unlabeled);
    }

    [GeneratedRegex(@"(?<open><MudTd\b[^>]*>)(?<body>.*?)</MudTd>", RegexOptions.Singleline)]
    private static partial Regex Cell();

    [GeneratedRegex(@"<(MudButton|MudIconButton|MudMenu|MudProgressLinear)\b")]
    private static partial Regex Actions();
}
