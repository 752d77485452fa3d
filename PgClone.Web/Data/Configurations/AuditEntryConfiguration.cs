using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public const string Table = "audit_entries";

    public void Configure(EntityTypeBuilder<AuditEntry> e)
    {
        e.ToTable(Table);
        e.Property(a => a.ActorKind).HasMaxLength(16);
        e.Property(a => a.Actor).HasMaxLength(256);
        e.Property(a => a.Address).HasMaxLength(64);
        e.Property(a => a.Action).HasMaxLength(64);
        e.Property(a => a.Details).HasColumnType("json");
        e.HasIndex(a => a.At);
        e.HasIndex(a => new { a.Actor, a.At });
        e.HasIndex(a => new { a.Action, a.At });
        e.HasIndex(a => a.ConnectionId);
    }
}
