using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class RunCheckpointConfiguration : IEntityTypeConfiguration<RunCheckpoint>
{
    public void Configure(EntityTypeBuilder<RunCheckpoint> e)
    {
        e.ToTable("run_checkpoints");
        e.HasIndex(c => new { c.JobId, c.Id });
        e.Property(c => c.JobId).HasMaxLength(40);
        e.Property(c => c.Kind).HasMaxLength(20);
        e.Property(c => c.Payload).HasColumnType("jsonb");
    }
}
