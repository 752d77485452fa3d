using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;

namespace PgClone.Tests.Core.Connections;

public sealed class ConnInfoTests
{
    [Fact]
    public void Libpq_key_value_with_quoted_values_and_escapes()
    {
        var csb = ConnInfo.Parse(@"host=db.example port=6543 dbname='my db' user=alice password='it\'s \\ y=z' sslmode=require");
        Assert.Equal("db.example", csb.Host);
        Assert.Equal(6543, csb.Port);
        Assert.Equal("my db", csb.Database);
        Assert.Equal("alice", csb.Username);
        Assert.Equal(@"it's \ y=z", csb.Password);
        Assert.Equal(SslMode.Require, csb.SslMode);
    }

    [Fact]
    public void Uri_with_percent_encoding_query_parameters_and_ipv6()
    {
        var csb = ConnInfo.Parse("postgresql://bob:p%40ss%3Aword@[::1]:5433/sales%20db?sslmode=disable&application_name=nightly");
        Assert.Equal("::1", csb.Host);
        Assert.Equal(5433, csb.Port);
        Assert.Equal("bob", csb.Username);
        Assert.Equal("p@ss:word", csb.Password);
        Assert.Equal("sales db", csb.Database);
        Assert.Equal(SslMode.Disable, csb.SslMode);
        Assert.Equal("nightly", csb.ApplicationName);
    }

    [Fact]
    public void Npgsql_form_is_accepted_as_is()
    {
        var csb = ConnInfo.Parse("Host=h;Port=5439;Database=d;Username=u;Password=p");
        Assert.Equal(("h", 5439, "d", "u"), (csb.Host, csb.Port, csb.Database, csb.Username));
    }

    [Fact]
    public void Source_connections_get_keepalives_unless_the_user_set_them()
    {
        var source = ConnInfo.Parse("host=h dbname=d", ServerRole.Source);
        Assert.True(source.TcpKeepAlive);
        Assert.Equal(30, source.TcpKeepAliveTime);
        var own = ConnInfo.Parse("host=h dbname=d keepalives_idle=99", ServerRole.Source);
        Assert.Equal(99, own.TcpKeepAliveTime);
        var target = ConnInfo.Parse("host=h dbname=d", ServerRole.Target);
        Assert.False(target.TcpKeepAlive);
        Assert.Equal("pgclone", target.ApplicationName);
    }

    [Fact]
    public void Gss_encryption_is_not_asked_for_without_kerberos_at_hand_unless_the_user_sets_it()
    {
        // This machine has no Kerberos configuration nor credential cache (as libpq, which then does not ask either).
        Assert.False(File.Exists("/etc/krb5.conf") || Environment.GetEnvironmentVariable("KRB5CCNAME") is { Length: > 0 });
        Assert.Equal(GssEncryptionMode.Disable, ConnInfo.Parse("host=h dbname=d").GssEncryptionMode);
        Assert.Equal(GssEncryptionMode.Prefer, ConnInfo.Parse("host=h dbname=d gssencmode=prefer").GssEncryptionMode);
        Assert.Equal(GssEncryptionMode.Require, ConnInfo.Parse("postgresql://h/d?gssencmode=require").GssEncryptionMode);
        Assert.Equal(GssEncryptionMode.Prefer, ConnInfo.Parse("Host=h;Database=d;GSS Encryption Mode=Prefer").GssEncryptionMode);
    }

    [Theory]
    [InlineData("", "source: connection string is empty")]
    [InlineData("host=h hots=x", "source: invalid connection string: unknown connection parameter 'hots'")]
    [InlineData("host=h port", "source: invalid connection string: missing \"=\" after \"port\"")]
    [InlineData("host='unterminated", "source: invalid connection string: unterminated quoted string")]
    [InlineData("postgresql://u@h:notaport/db", "source: invalid connection string: invalid port 'notaport'")]
    [InlineData("host=h sslmode=sometimes", "source: invalid connection string: invalid sslmode 'sometimes'")]
    [InlineData("host=h port=x", "source: invalid connection string: invalid port 'x'")]
    [InlineData("host=a,b,c port=1,2", "source: invalid connection string: could not match 2 port numbers to 3 hosts")]
    [InlineData("host=h target_session_attrs=writable", "source: invalid connection string: invalid target_session_attrs value: \"writable\" (one of any, read-write, read-only, primary, standby, prefer-standby)")]
    public void Broken_connection_strings_give_one_clear_message(string conninfo, string message)
    {
        var e = Assert.Throws<PgCloneException>(() => ConnInfo.Parse(conninfo));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Endpoint_describes_itself_with_role_name_and_address()
    {
        var e = ServerEndpoint.Parse(ServerRole.Target, "postgresql://u:p@db.example:5432/app", "staging");
        Assert.Equal("target 'staging' (db.example:5432)", e.Describe());
        Assert.Equal("app2", e.WithDatabase("app2").Database);
    }
}

public sealed class SqlQuotingTests
{
    [Theory]
    [InlineData("orders", "\"orders\"")]
    [InlineData("Mixed Case", "\"Mixed Case\"")]
    [InlineData("we\"ird", "\"we\"\"ird\"")]
    [InlineData("x; DROP TABLE y; --", "\"x; DROP TABLE y; --\"")]
    [InlineData("select", "\"select\"")]
    [InlineData("ünï©ødé", "\"ünï©ødé\"")]
    public void Identifiers_are_always_quoted_with_quotes_doubled(string name, string quoted) =>
        Assert.Equal(quoted, Sql.Ident(name));

    [Fact]
    public void Literals_double_single_quotes_and_reject_nul()
    {
        Assert.Equal("'it''s'", Sql.Literal("it's"));
        Assert.Equal("NULL", Sql.Literal(null));
        Assert.Throws<ArgumentException>(() => Sql.Literal("a\0b"));
        Assert.Throws<ArgumentException>(() => Sql.Ident("a\0b"));
    }

    [Fact]
    public void Dollar_quote_tag_never_occurs_in_the_body()
    {
        Assert.Equal("$pgc$body$pgc$", Sql.DollarQuote("body"));
        Assert.Equal("$pgc0$has $pgc$ inside$pgc0$", Sql.DollarQuote("has $pgc$ inside"));
    }
}
