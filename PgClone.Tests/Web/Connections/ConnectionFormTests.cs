using Bunit;
using MudBlazor;
using Npgsql;
using PgClone.Web.Components.Pages.Connections;
using PgClone.Web.Connections;
using PgClone.Web.Data;

namespace PgClone.Tests.Web.Connections;

/// <summary>The connection form: pasting a URI or key=value string fills it through the engine's parser; validation speaks per field.</summary>
public sealed class ConnectionFormTests : MudComponentTests
{
    private (IRenderedComponent<ConnectionForm> Form, ConnectionDraft Draft, List<ConnectionDraft> Submitted) RenderForm(ConnectionDraft? draft = null, bool stored = false)
    {
        Render<MudPopoverProvider>();
        draft ??= new ConnectionDraft();
        var submitted = new List<ConnectionDraft>();
        var form = Render<ConnectionForm>(p => p.Add(f => f.Draft, draft).Add(f => f.HasStoredPassword, stored)
            .Add(f => f.OnValidSubmit, d => submitted.Add(d)));
        return (form, draft, submitted);
    }

    private static void Submit(IRenderedComponent<ConnectionForm> form) =>
        form.Find("form").SubmitAsync(EventArgs.Empty).GetAwaiter().GetResult();

    private static void Paste(IRenderedComponent<ConnectionForm> form, string text)
    {
        // Each handler is awaited: MudBlazor's text field binds its value asynchronously.
        form.Find("#conn-paste").ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = text }).GetAwaiter().GetResult();
        form.Find("#conn-paste-fill").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs()).GetAwaiter().GetResult();
    }

    [Fact]
    public void Pasting_a_uri_fills_the_connection_fields_and_keeps_name_and_tag()
    {
        var (form, draft, _) = RenderForm(new ConnectionDraft { Name = "reporting", Environment = ConnectionEnvironment.Staging });

        Paste(form, "postgresql://app%40corp:s3cr%3At@db.example.com:6432/sales%20eu?sslmode=verify-full");

        Assert.Equal(("reporting", ConnectionEnvironment.Staging, "db.example.com", 6432, "sales eu", "app@corp", "s3cr:t", SslMode.VerifyFull),
            (draft.Name, draft.Environment, draft.Host, draft.Port, draft.Database, draft.Username, draft.Password, draft.SslMode));
        form.WaitForAssertion(() =>
        {
            Assert.Equal("db.example.com", form.Find("#conn-host").GetAttribute("value"));
            Assert.Equal("6432", form.Find("#conn-port").GetAttribute("value"));
            Assert.Equal("sales eu", form.Find("#conn-database").GetAttribute("value"));
            Assert.Equal("app@corp", form.Find("#conn-user").GetAttribute("value"));
        }, TimeSpan.FromSeconds(30));
        Assert.Empty(form.FindAll("#conn-paste-error"));
        Assert.True(string.IsNullOrEmpty(form.Find("#conn-paste").GetAttribute("value"))); // the pasted password does not linger in the paste box
    }

    [Fact]
    public void Pasting_a_libpq_key_value_string_fills_the_fields_with_libpq_defaults()
    {
        var (form, draft, _) = RenderForm(new ConnectionDraft { Port = 7777, SslMode = SslMode.Require });

        Paste(form, "host=10.0.0.5 dbname='my db' user=reader password='it\\'s'");

        Assert.Equal(("10.0.0.5", 5432, "my db", "reader", "it's", SslMode.Prefer),
            (draft.Host, draft.Port, draft.Database, draft.Username, draft.Password, draft.SslMode));
    }

    [Theory]
    [InlineData("host=db1.example,db2.example port=6001,6002 dbname=shop target_session_attrs=read-write", "db1.example", 6001)]
    [InlineData("host=db1.example target_session_attrs=read-write port=6001", "db1.example", 6001)]
    [InlineData("host=::1,db2 port=6003,6004", "::1", 6003)]
    [InlineData("host=fe80::1", "fe80::1", 5432)]
    public void Pasting_a_host_list_fills_its_first_host_with_its_port(string text, string host, int port)
    {
        var (form, draft, _) = RenderForm();

        Paste(form, text);

        Assert.Equal((host, port), (draft.Host, draft.Port));
    }

    [Theory]
    [InlineData("postgresql://app@db.example.com:notaport/sales", "Not a connection string: invalid port 'notaport'")]
    [InlineData("host=db port", "Not a connection string: missing \"=\" after \"port\"")]
    [InlineData("host=db colour=blue", "Not a connection string: unknown connection parameter 'colour'")]
    [InlineData("   ", "Paste a key=value string or a postgresql:// URI first.")]
    public void A_bad_connection_string_says_why_and_changes_nothing(string text, string message)
    {
        var (form, draft, _) = RenderForm(new ConnectionDraft { Host = "kept.example" });

        Paste(form, text);

        Assert.Equal(message, form.Find("#conn-paste-error").TextContent.Trim());
        Assert.Equal(("kept.example", 5432), (draft.Host, draft.Port));
    }

    [Fact]
    public void Saving_an_empty_form_shows_a_message_per_required_field_and_submits_nothing()
    {
        var (form, _, submitted) = RenderForm(new ConnectionDraft { Port = 0 });

        Submit(form);

        var messages = form.FindAll(".mud-input-helper-text.mud-input-error").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0).ToList();
        Assert.Equal(["Name is required.", "Host is required.", "Port must be between 1 and 65535.", "Database is required.", "User is required."], messages);
        Assert.Empty(submitted);
    }

    [Fact]
    public void A_valid_form_submits_and_an_edit_never_shows_the_stored_password()
    {
        var draft = new ConnectionDraft { Name = "prod", Host = "db", Port = 5432, Database = "shop", Username = "app" };
        var (form, _, submitted) = RenderForm(draft, stored: true);

        Assert.Equal("stored — leave empty to keep", form.Find("#conn-password").GetAttribute("placeholder"));
        Assert.True(string.IsNullOrEmpty(form.Find("#conn-password").GetAttribute("value")));
        Assert.Equal("password", form.Find("#conn-password").GetAttribute("type"));
        Submit(form);

        Assert.Equal([draft], submitted);
        Assert.Null(submitted[0].ToNew().Password); // empty keeps the stored password
    }
}
