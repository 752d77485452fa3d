using PgClone.Web.Audit;

namespace PgClone.Tests.Web.Audit;

/// <summary>An audit entry's details as the Audit page shows them: fields in words, the JSON indented and unescaped.</summary>
public sealed class AuditDetailsTests
{
    [Fact]
    public void Fields_read_as_words_objects_by_their_name_empty_ones_left_out_and_the_json_unescaped()
    {
        var details = AuditDetails.Read("""
            {"operation":"table","startedBy":{"kind":"user","name":"op@example.com"},"profileId":null,"masked":false,"productionConfirmed":true,
             "tables":3,"roles":["a"],"error":"source \u0027demo\u0027: table \u0022shop\u0022.\u0022orders\u0022"}
            """);

        Assert.Equal([("operation", "table"), ("started by", "op@example.com"), ("production confirmed", "yes"), ("tables", "3"), ("roles", "a"),
                      ("error", "source 'demo': table \"shop\".\"orders\"")], details.Fields);
        Assert.Contains("\"error\": \"source 'demo': table \\\"shop\\\".\\\"orders\\\"\"", details.Json);
        Assert.DoesNotContain("\\u0027", details.Json);
        Assert.StartsWith("{\n  \"operation\": \"table\",", details.Json.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Details_that_are_not_json_are_shown_as_they_are()
    {
        var plain = AuditDetails.Read("not json");
        Assert.Equal(("not json", 0), (plain.Json, plain.Fields.Count));
        Assert.Equal(("", 0), (AuditDetails.Read(null).Json, AuditDetails.Read(null).Fields.Count));
    }
}
