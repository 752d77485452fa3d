using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    public void Configure(EntityTypeBuilder<Run> e)
    {
        e.ToTable("runs");
        e.HasIndex(r => r.SubmittedAt);
        e.HasIndex(r => new { r.Status, r.SourceServer });
        e.Property(r => r.StartedByKind).HasMaxLength(20);
        e.Property(r => r.StartedBy).HasMaxLength(256);
        e.Property(r => r.SourceName).HasMaxLength(100);
        e.Property(r => r.TargetName).HasMaxLength(100);
        e.Property(r => r.SourceEnvironment).HasMaxLength(20);
        e.Property(r => r.TargetEnvironment).HasMaxLength(20);
        e.Property(r => r.SourceServer).HasMaxLength(300);
        e.Property(r => r.Operation).HasMaxLength(20);
        e.Property(r => r.Status).HasMaxLength(20);
        e.Property(r => r.Phase).HasMaxLength(40);
        e.Property(r => r.EngineJobId).HasMaxLength(40);
        e.Property(r => r.Instance).HasMaxLength(200);
        e.Property(r => r.CancelledBy).HasMaxLength(256);
        e.Property(r => r.OptionsJson).HasColumnType("jsonb");
        e.Property(r => r.RolesJson).HasColumnType("jsonb");
        e.Property(r => r.PhaseSecondsJson).HasColumnType("jsonb");
        e.Property(r => r.NotesJson).HasColumnType("jsonb");
        // Policy versions are never deleted; a run names the one it applied.
        e.HasOne<MaskPolicyVersion>().WithMany().HasForeignKey(r => r.MaskPolicyVersionId).OnDelete(DeleteBehavior.Restrict);
        e.Property(r => r.TargetKey).HasMaxLength(400);
        e.Property(r => r.Overlap).HasMaxLength(20);
        e.Property(r => r.RefreshJson).HasColumnType("jsonb");
        e.HasIndex(r => new { r.ScheduleId, r.SubmittedAt });
        e.HasOne<Schedule>().WithMany().HasForeignKey(r => r.ScheduleId).OnDelete(DeleteBehavior.SetNull);
        // History outlives its profile and connections: their names are copied into the run.
        e.HasOne<CloneProfile>().WithMany().HasForeignKey(r => r.ProfileId).OnDelete(DeleteBehavior.SetNull);
        e.HasOne<Connection>().WithMany().HasForeignKey(r => r.SourceConnectionId).OnDelete(DeleteBehavior.SetNull);
        e.HasOne<Connection>().WithMany().HasForeignKey(r => r.TargetConnectionId).OnDelete(DeleteBehavior.SetNull);
        e.HasOne<Run>().WithMany().HasForeignKey(r => r.ResumedFromRunId).OnDelete(DeleteBehavior.SetNull);
        e.HasMany(r => r.Tables).WithOne().HasForeignKey(t => t.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
