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
        const string json = """{"indexes":false,"constraints":true,"triggers":false,"matviews":true,"columns":["a","b"],"where":"a \u003E 1","conflict":"replace","parallel":4,"mask":{"s.t":{"a":"keyed_hash"}},"consistent":false,"include_data":true,"target_name":"n","require_masking":true,"skip_unsupported":false,"subset":{"root":"s.t","where":null,"percent":10,"limit":null,"child_depth":2,"virtual_fks":[{"from":"s.u(x)","to":"s.t(a)"}],"outside":"exclude"},"lock_wait_timeout":5}""";
        var o = CloneOptions.Parse(json);
        Assert.Equal((false, false, ConflictStrategy.Replace, 4, "n", SubsetOutside.Exclude, "s.u(x)", 5),
            (o.Indexes, o.Triggers, o.Conflict, o.Parallel, o.TargetName, o.Subset!.Outside, o.Subset.VirtualForeignKeys[0].From, o.LockWaitTimeout));
        Assert.Equal(json, o.ToJson());
    }

    [Theory]
    [InlineData("""{"paralel": 2}""", "unknown option \"paralel\"")]
    [InlineData("""{"subset": {"root": "s.t", "limitt": 2}}""", "unknown option \"subset.limitt\"")]
    [InlineData("""{"parallel": "4"}""", "\"parallel\" must be a whole number")]
    [InlineData("""{"indexes": "no"}""", "\"indexes\" must be true or false")]
    [InlineData("""{"conflict": "overwrite"}""", "\"conflict\" must be one of \"error\", \"skip\", \"replace\", \"rename\"")]
    [InlineData("""{"subset": {"root": "s.t", "outside": "drop"}}""", "\"subset.outside\" must be one of \"full\", \"exclude\"")]
    [InlineData("""{"columns": "a,b"}""", "\"columns\" must be a list")]
    [InlineData("""{"mask": "email"}""", "\"mask\" must be an object")]
    [InlineData("""{"where": 1}""", "\"where\" must be a string")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{"lock_wait_timeout": 0}""", "lock_wait_timeout must be between 1 and 2147483 seconds, got 0")]
    [InlineData("""{"parallel": 2""", "not valid JSON: '2' is an invalid end of a number. Expected a delimiter. (at character 15)")]
    [InlineData("""{'parallel': 2}""", "not valid JSON: ''' is an invalid start of a property name. Expected a '\"'. (at character 2)")]
    public void A_wrong_option_is_refused_naming_it_and_what_it_takes(string json, string reason) =>
        Assert.Equal($"invalid options: {reason}", Assert.Throws<PgCloneException>(() => CloneOptions.Parse(json)).Message);
}
