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
    public void A_connection_id_reads_as_the_connections_current_name_or_its_number_once_deleted()
    {
        var details = AuditDetails.Read("""{"name":"nightly","sourceConnectionId":1,"targetConnectionId":7,"connectionId":1}""",
            new Dictionary<int, string> { [1] = "prod eu" });

        Assert.Equal([("name", "nightly"), ("source connection", "'prod eu' (#1)"), ("target connection", "#7"), ("connection", "'prod eu' (#1)")],
            details.Fields);
        Assert.Contains("\"sourceConnectionId\": 1", details.Json);
        Assert.Equal(("source connection", "#1"), AuditDetails.Read("""{"sourceConnectionId":1}""").Fields[0]);
    }

    [Fact]
    public void Details_that_are_not_json_are_shown_as_they_are()
    {
        var plain = AuditDetails.Read("not json");
        Assert.Equal(("not json", 0), (plain.Json, plain.Fields.Count));
        Assert.Equal(("", 0), (AuditDetails.Read(null).Json, AuditDetails.Read(null).Fields.Count));
    }
}
