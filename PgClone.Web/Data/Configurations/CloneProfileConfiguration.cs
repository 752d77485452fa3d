using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class CloneProfileConfiguration : IEntityTypeConfiguration<CloneProfile>
{
    public void Configure(EntityTypeBuilder<CloneProfile> e)
    {
        e.ToTable("clone_profiles");
        e.HasIndex(p => p.Name).IsUnique();
        e.Property(p => p.Name).HasMaxLength(100);
        e.Property(p => p.Description).HasMaxLength(1000);
        e.Property(p => p.Operation).HasMaxLength(20);
        e.Property(p => p.OptionsJson).HasColumnType("jsonb");
        e.Property(p => p.RolesJson).HasColumnType("jsonb");
        e.Property(p => p.CreatedBy).HasMaxLength(256);
        e.Property(p => p.UpdatedBy).HasMaxLength(256);
        // Deleting a connection deletes the profiles that use it: the connections page names them and asks first.
        e.HasOne<Connection>().WithMany().HasForeignKey(p => p.SourceConnectionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Connection>().WithMany().HasForeignKey(p => p.TargetConnectionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<MaskPolicy>().WithMany().HasForeignKey(p => p.MaskPolicyId).OnDelete(DeleteBehavior.Restrict);
    }
}
