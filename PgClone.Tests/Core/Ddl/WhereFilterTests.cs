using PgClone.Core.Ddl;

namespace PgClone.Tests.Core.Ddl;

/// <summary>Row filters that are plain boolean expressions pass unchanged, whatever their literals and quoted names hold.</summary>
public sealed class WhereFilterTests
{
    [Theory]
    [InlineData("id > 5", "id > 5")]
    [InlineData("  status = 'drop; delete -- /* x */'  ", "status = 'drop; delete -- /* x */'")]
    [InlineData("\"Update\" IS NOT NULL AND \"set;\" = 1", "\"Update\" IS NOT NULL AND \"set;\" = 1")]
    [InlineData("note = $q$it's; drop$q$", "note = $q$it's; drop$q$")]
    [InlineData("created_at > now() - interval '30 days' AND (a IN (1, 2) OR b)", "created_at > now() - interval '30 days' AND (a IN (1, 2) OR b)")]
    [InlineData("updated_by = 'x' AND reset_count < 3 AND doc @> '{}'", "updated_by = 'x' AND reset_count < 3 AND doc @> '{}'")]
    public void Plain_expressions_pass(string where, string expected) => Assert.Equal(expected, WhereFilter.Validate(where));

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void No_filter_is_null(string? where) => Assert.Null(WhereFilter.Validate(where));
}
