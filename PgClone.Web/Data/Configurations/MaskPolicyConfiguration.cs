using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class MaskPolicyConfiguration : IEntityTypeConfiguration<MaskPolicy>
{
    public void Configure(EntityTypeBuilder<MaskPolicy> e)
    {
        e.ToTable("mask_policies");
        e.HasIndex(p => p.Name).IsUnique();
        e.Property(p => p.Name).HasMaxLength(100);
        e.Property(p => p.Description).HasMaxLength(1000);
        e.Property(p => p.Owner).HasMaxLength(256);
        e.Property(p => p.CreatedBy).HasMaxLength(256);
        // Versions are the record of what runs applied: a policy with versions cannot be deleted.
        e.HasMany(p => p.Versions).WithOne().HasForeignKey(v => v.PolicyId).OnDelete(DeleteBehavior.Restrict);
    }
}
