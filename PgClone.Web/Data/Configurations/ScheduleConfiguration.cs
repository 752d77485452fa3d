using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class ScheduleConfiguration : IEntityTypeConfiguration<Schedule>
{
    public void Configure(EntityTypeBuilder<Schedule> e)
    {
        e.ToTable("schedules");
        e.HasIndex(s => s.Name).IsUnique();
        e.Property(s => s.Name).HasMaxLength(100);
        e.Property(s => s.Cron).HasMaxLength(200);
        e.Property(s => s.TimeZone).HasMaxLength(100);
        e.Property(s => s.Misfire).HasMaxLength(20);
        e.Property(s => s.Overlap).HasMaxLength(20);
        e.Property(s => s.RefreshJson).HasColumnType("jsonb");
        e.Property(s => s.OwnerId).HasMaxLength(450);
        e.Property(s => s.Owner).HasMaxLength(256);
        e.Property(s => s.UpdatedBy).HasMaxLength(256);
        // A schedule runs its profile: deleting the profile deletes its schedules (their runs stay, as history).
        e.HasOne<CloneProfile>().WithMany().HasForeignKey(s => s.ProfileId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(s => s.Webhooks).WithOne().HasForeignKey(w => w.ScheduleId).OnDelete(DeleteBehavior.Cascade);
    }
}
