using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Tests.Core.Connections;

/// <summary>Every libpq connection keyword is accepted, mapped onto Npgsql's setting when it has one.</summary>
public sealed class LibpqKeywordTests
{
    [Fact]
    public void Keywords_Npgsql_lacks_are_accepted_and_the_others_mapped()
    {
        var csb = ConnInfo.Parse("host=db.example dbname=d user=u keepalives=1 keepalives_idle=60 keepalives_interval=5 keepalives_count=3 " +
            "tcp_user_timeout=1000 sslsni=1 ssl_min_protocol_version=TLSv1.2 ssl_max_protocol_version=TLSv1.3 sslcompression=0 sslcrl=/x sslcrldir=/y " +
            "requirepeer=postgres gsslib=gssapi replication=false krbsrvname=pg fallback_application_name=nightly load_balance_hosts=random requiressl=1");
        Assert.True(csb.TcpKeepAlive);
        Assert.Equal(60, csb.TcpKeepAliveTime);
        Assert.Equal(5, csb.TcpKeepAliveInterval);
        Assert.Equal("pg", csb.KerberosServiceName);
        Assert.True(csb.LoadBalanceHosts);
        Assert.Equal(SslMode.Require, csb.SslMode);
        Assert.Equal("nightly", csb.ApplicationName);
        Assert.Equal("named", ConnInfo.Parse("application_name=named fallback_application_name=nightly host=h").ApplicationName);
        Assert.Equal(("db.example", "d", "u"), (csb.Host, csb.Database, csb.Username));
    }

    [Fact]
    public void Host_lists_pair_each_host_with_its_port_and_session_attributes_hold_for_one_host_too()
    {
        Assert.Equal("a:5433,b:5434", ConnInfo.Parse("host=a,b port=5433,5434").Host);
        var one = ConnInfo.Parse("host=a,b port=6000");
        Assert.Equal(("a,b", 6000), (one.Host, one.Port));
        Assert.Equal("[::1]:5433,b:5434", ConnInfo.Parse("host=::1,b port=5433,5434").Host);
        // Npgsql takes target_session_attrs only with a host list; libpq checks a single host the same way.
        var single = ServerEndpoint.Parse(ServerRole.Source, "host=db.example port=6000 target_session_attrs=read-write");
        Assert.Equal(("db.example,db.example", "read-write"), (single.Builder.Host, single.Builder.TargetSessionAttributes));
        Assert.Equal(("db.example", "source 'db.example:6000/' (db.example:6000)"), (single.Host, single.Describe()));
        Assert.Equal("db.example,db.example", ConnInfo.Parse("Host=db.example;Target Session Attributes=primary").Host);
        Assert.Equal("db.example", ConnInfo.Parse("host=db.example target_session_attrs=any").Host);
    }

    [Fact]
    public void A_service_takes_its_parameters_from_the_service_file_and_explicit_ones_win()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pg_service_{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "# test\n[other]\nhost=wrong\n[prod]\nhost=prod.example\nport=6000\ndbname=shop\nuser=reader\n");
        var before = Environment.GetEnvironmentVariable("PGSERVICEFILE");
        Environment.SetEnvironmentVariable("PGSERVICEFILE", file);
        try
        {
            var csb = ConnInfo.Parse("service=prod user=admin");
            Assert.Equal(("prod.example", 6000, "shop", "admin"), (csb.Host, csb.Port, csb.Database, csb.Username));
            var missing = Assert.Throws<PgClone.Core.PgCloneException>(() => ConnInfo.Parse("service=nope"));
            Assert.Contains("definition of service \"nope\" not found", missing.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGSERVICEFILE", before);
            File.Delete(file);
        }
    }
}
