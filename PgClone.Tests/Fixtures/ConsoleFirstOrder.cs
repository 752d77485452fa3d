using PgClone.Tests.Web;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("PgClone.Tests.Fixtures.ConsoleFirstOrder", "PgClone.Tests")]

namespace PgClone.Tests.Fixtures;

/// <summary>
/// Starts the two console collections first (<see cref="BrowserCollection"/>, <see cref="ConsoleCollection"/>). Their
/// classes run one after another, so they are the suite's longest chains: in the default order the API one started
/// after twelve minutes and ran on alone for the last six, with two of the four threads idle.
/// </summary>
public sealed class ConsoleFirstOrder : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        var ordered = new DefaultTestCollectionOrderer().OrderTestCollections(testCollections).ToList();
        return ordered.Where(IsConsole).Concat(ordered.Where(c => !IsConsole(c)));
    }

    private static bool IsConsole(ITestCollection collection) => collection.DisplayName is ConsoleCollection.Name or BrowserCollection.Name;
}
