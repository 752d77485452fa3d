using PgClone.Core;

namespace PgClone.Tests.Core;

/// <summary>Counts in messages read as people write them, never "table(s)".</summary>
public sealed class WordsTests
{
    [Theory]
    [InlineData(0, "table", null, "0 tables")]
    [InlineData(1, "table", null, "1 table")]
    [InlineData(2, "leaf partition", null, "2 leaf partitions")]
    [InlineData(1234567, "row", null, "1,234,567 rows")]
    [InlineData(3, "index", "indexes", "3 indexes")]
    public void Count_reads_as_written(long n, string singular, string? plural, string expected) =>
        Assert.Equal(expected, Words.Count(n, singular, plural));

    [Fact]
    public void Noun_is_singular_for_one_only()
    {
        Assert.Equal(("schema", "schemas", "schemas"), (Words.Noun(1, "schema"), Words.Noun(0, "schema"), Words.Noun(2, "schema")));
    }
}
