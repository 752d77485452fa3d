using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace PgClone.Web.Data;

/// <summary>The console's own database: Identity, registered connections, the Data Protection key ring.</summary>
public sealed class PgCloneDbContext(DbContextOptions<PgCloneDbContext> options) : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<Connection> Connections => Set<Connection>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Connection>(e =>
        {
            e.ToTable("connections");
            e.HasIndex(c => c.Name).IsUnique();
            e.Property(c => c.Name).HasMaxLength(100);
            e.Property(c => c.Host).HasMaxLength(255);
            e.Property(c => c.Database).HasMaxLength(63);
            e.Property(c => c.Username).HasMaxLength(63);
            e.Property(c => c.SslMode).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.CreatedBy).HasMaxLength(256);
            e.Property(c => c.UpdatedBy).HasMaxLength(256);
        });

        builder.Entity<DataProtectionKey>(e => e.ToTable("data_protection_keys"));

        // Fixed ids and stamps keep the seed stable, so the model never shows pending changes.
        builder.Entity<IdentityRole>().HasData(AppRoles.All.Select((name, i) => new IdentityRole(name)
        {
            Id = $"00000000-0000-0000-0000-00000000000{i + 1}",
            NormalizedName = name.ToUpperInvariant(),
            ConcurrencyStamp = $"pgclone-role-{name.ToLowerInvariant()}",
        }));
    }
}
