using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

/// <summary>The roles of <see cref="AppRoles"/>, seeded by migrations.</summary>
public sealed class RoleSeedConfiguration : IEntityTypeConfiguration<IdentityRole>
{
    // Fixed ids and stamps keep the seed stable, so the model never shows pending changes.
    public void Configure(EntityTypeBuilder<IdentityRole> e) =>
        e.HasData(AppRoles.All.Select((name, i) => new IdentityRole(name)
        {
            Id = $"00000000-0000-0000-0000-00000000000{i + 1}",
            NormalizedName = name.ToUpperInvariant(),
            ConcurrencyStamp = $"pgclone-role-{name.ToLowerInvariant()}",
        }));
}
