using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class ConnectionGrantConfiguration : IEntityTypeConfiguration<ConnectionGrant>
{
    public void Configure(EntityTypeBuilder<ConnectionGrant> e)
    {
        e.ToTable("connection_grants", t => t.HasCheckConstraint("ck_connection_grants_grantee", "(\"Role\" IS NULL) <> (\"UserId\" IS NULL)"));
        e.Property(g => g.Use).HasConversion<string>().HasMaxLength(10);
        e.Property(g => g.Role).HasMaxLength(256);
        e.HasOne<Connection>().WithMany(c => c.Grants).HasForeignKey(g => g.ConnectionId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<ApplicationUser>().WithMany().HasForeignKey(g => g.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(g => new { g.ConnectionId, g.Use, g.Role, g.UserId }).IsUnique().AreNullsDistinct(false);
    }
}
