using PgClone.Core;
using PgClone.Core.Subsetting;

namespace PgClone.Tests.Core;

/// <summary>The options JSON as users write it: absent names keep their defaults, unknown names are refused.</summary>
public sealed class CloneOptionsParseTests
{
    [Fact]
    public void Absent_options_keep_their_defaults()
    {
        Assert.Equal(new CloneOptions(), CloneOptions.Parse("{}"));
        var o = CloneOptions.Parse("""{"parallel": 3}""");
        Assert.Equal((true, true, true, true, true, true, ConflictStrategy.Error, 3),
            (o.Indexes, o.Constraints, o.Triggers, o.Matviews, o.Consistent, o.IncludeData, o.Conflict, o.Parallel));
        var subset = CloneOptions.Parse("""{"subset": {"root": "s.t", "limit": 5}}""").Subset!;
        Assert.Equal((SubsetOutside.Full, 0, 5L), (subset.Outside, subset.VirtualForeignKeys.Count, subset.Limit));
    }

    [Fact]
    public void Given_options_are_read_and_written_back_the_same()
    {
        const string json = """{"indexes":false,"constraints":true,"triggers":false,"matviews":true,"columns":["a","b"],"where":"a \u003E 1","conflict":"replace","parallel":4,"mask":{"s.t":{"a":"keyed_hash"}},"consistent":false,"include_data":true,"target_name":"n","require_masking":true,"skip_unsupported":false,"subset":{"root":"s.t","where":null,"percent":10,"limit":null,"child_depth":2,"virtual_fks":[{"from":"s.u(x)","to":"s.t(a)"}],"outside":"exclude"}}""";
        var o = CloneOptions.Parse(json);
        Assert.Equal((false, false, ConflictStrategy.Replace, 4, "n", SubsetOutside.Exclude, "s.u(x)"),
            (o.Indexes, o.Triggers, o.Conflict, o.Parallel, o.TargetName, o.Subset!.Outside, o.Subset.VirtualForeignKeys[0].From));
        Assert.Equal(json, o.ToJson());
    }

    [Fact]
    public void An_unknown_option_is_refused_naming_it() =>
        Assert.Equal("invalid options: The JSON property 'paralel' could not be mapped to any .NET member contained in type 'PgClone.Core.CloneOptions'.",
            Assert.Throws<PgCloneException>(() => CloneOptions.Parse("""{"paralel": 2}""")).Message);
}
