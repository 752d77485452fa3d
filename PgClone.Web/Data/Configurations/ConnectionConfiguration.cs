using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class ConnectionConfiguration : IEntityTypeConfiguration<Connection>
{
    public void Configure(EntityTypeBuilder<Connection> e)
    {
        e.ToTable("connections");
        e.HasIndex(c => c.Name).IsUnique();
        e.Property(c => c.Name).HasMaxLength(100);
        e.Property(c => c.Host).HasMaxLength(255);
        e.Property(c => c.Database).HasMaxLength(63);
        e.Property(c => c.Username).HasMaxLength(63);
        e.Property(c => c.SslMode).HasConversion<string>().HasMaxLength(20);
        // Rows from before the tag existed read as "Other".
        e.Property(c => c.Environment).HasConversion<string>().HasMaxLength(20).HasDefaultValue(ConnectionEnvironment.Other);
        e.Property(c => c.Notes).HasMaxLength(4000);
        e.Property(c => c.RootCertificate).HasMaxLength(65536);
        e.Property(c => c.CreatedBy).HasMaxLength(256);
        e.Property(c => c.UpdatedBy).HasMaxLength(256);
    }
}
