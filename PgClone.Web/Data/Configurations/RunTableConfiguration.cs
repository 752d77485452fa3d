using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class RunTableConfiguration : IEntityTypeConfiguration<RunTable>
{
    public void Configure(EntityTypeBuilder<RunTable> e)
    {
        e.ToTable("run_tables");
        e.HasIndex(t => new { t.RunId, t.Table }).IsUnique();
        e.Property(t => t.Table).HasMaxLength(300);
        e.Property(t => t.Status).HasMaxLength(20);
        e.Property(t => t.CopiedByJob).HasMaxLength(40);
    }
}
