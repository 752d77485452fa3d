using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class MaskPolicyVersionConfiguration : IEntityTypeConfiguration<MaskPolicyVersion>
{
    public void Configure(EntityTypeBuilder<MaskPolicyVersion> e)
    {
        e.ToTable("mask_policy_versions");
        e.HasIndex(v => new { v.PolicyId, v.Version }).IsUnique();
        // json, not jsonb: the rules are kept as written (key order included), so an export gives back the import.
        e.Property(v => v.RulesJson).HasColumnType("json");
        e.Property(v => v.Note).HasMaxLength(1000);
        e.Property(v => v.CreatedBy).HasMaxLength(256);
    }
}
