using PgClone.Tests.Web;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("PgClone.Tests.Fixtures.ConsoleFirstOrder", "PgClone.Tests")]

namespace PgClone.Tests.Fixtures;

/// <summary>
/// Starts the console-host collection first. Its forty classes run one after another (they share process-wide
/// host hooks), so it is the suite's longest chain: started late, it ran alone for the last nine minutes while
/// the other threads sat idle. Started first, it runs beside everything else.
/// </summary>
public sealed class ConsoleFirstOrder : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        var ordered = new DefaultTestCollectionOrderer().OrderTestCollections(testCollections).ToList();
        return ordered.Where(IsConsole).Concat(ordered.Where(c => !IsConsole(c)));
    }

    private static bool IsConsole(ITestCollection collection) => collection.DisplayName == ConsoleCollection.Name;
}
