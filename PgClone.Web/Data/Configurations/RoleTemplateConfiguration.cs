using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class RoleTemplateConfiguration : IEntityTypeConfiguration<RoleTemplate>
{
    public void Configure(EntityTypeBuilder<RoleTemplate> e)
    {
        e.ToTable("role_templates");
        e.HasIndex(t => t.Name).IsUnique();
        e.Property(t => t.Name).HasMaxLength(100);
        e.Property(t => t.Description).HasMaxLength(1000);
        e.Property(t => t.NamePrefix).HasMaxLength(63);
        e.Property(t => t.CreatedBy).HasMaxLength(256);
        e.Property(t => t.UpdatedBy).HasMaxLength(256);
        // As with clone profiles: deleting a connection deletes the templates that use it (the delete names them).
        e.HasOne<Connection>().WithMany().HasForeignKey(t => t.SourceConnectionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Connection>().WithMany().HasForeignKey(t => t.TargetConnectionId).OnDelete(DeleteBehavior.Cascade);
    }
}
