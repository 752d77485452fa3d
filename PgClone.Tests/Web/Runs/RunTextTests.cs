using PgClone.Core;
using PgClone.Web.Components.Shared;

namespace PgClone.Tests.Web.Runs;

/// <summary>How a run's options read on its detail page: only what differs from the defaults, with the API's names.</summary>
public sealed class RunTextTests
{
    [Fact]
    public void Defaults_change_nothing()
    {
        Assert.Empty(RunText.ChangedOptions(new CloneOptions()));
        Assert.Empty(RunText.ChangedOptions(CloneOptions.Parse("""{"mask": {"s.t": {"email": "email"}}}""")));
    }

    [Fact]
    public void Changed_options_read_as_name_and_value_in_their_order()
    {
        var options = CloneOptions.Parse("""
            {"indexes": false, "where": "name <> 'x' AND id > 10", "conflict": "replace", "parallel": 4,
             "skip_unsupported": true, "subset": {"root": "s.t", "percent": 10}}
            """);

        Assert.Equal<(string, string)>(
            [
                ("indexes", "false"),
                ("where", "name <> 'x' AND id > 10"),
                ("conflict", "replace"),
                ("parallel", "4"),
                ("skip unsupported", "true"),
                ("subset", """{"root":"s.t","percent":10,"outside":"full"}"""),
            ],
            RunText.ChangedOptions(options));
    }
}
