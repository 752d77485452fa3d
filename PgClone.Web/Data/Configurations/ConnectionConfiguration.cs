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
        e.Property(c => c.CreatedBy).HasMaxLength(256);
        e.Property(c => c.UpdatedBy).HasMaxLength(256);
    }
}
