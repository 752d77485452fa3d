using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace PgClone.Web.Data;

/// <summary>
/// The console's own database: Identity, registered connections, the Data Protection key ring. Each entity's
/// mapping lives in Data/Configurations/ (one IEntityTypeConfiguration per entity); a new entity adds its
/// DbSet here and its configuration file there, then a migration.
/// </summary>
public sealed class PgCloneDbContext(DbContextOptions<PgCloneDbContext> options) : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<Connection> Connections => Set<Connection>();
    public DbSet<ConnectionGrant> ConnectionGrants => Set<ConnectionGrant>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<CloneProfile> CloneProfiles => Set<CloneProfile>();
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunTable> RunTables => Set<RunTable>();
    public DbSet<RunCheckpoint> RunCheckpoints => Set<RunCheckpoint>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<RoleTemplate> RoleTemplates => Set<RoleTemplate>();
    public DbSet<MaskPolicy> MaskPolicies => Set<MaskPolicy>();
    public DbSet<MaskPolicyVersion> MaskPolicyVersions => Set<MaskPolicyVersion>();
    public DbSet<Schedule> Schedules => Set<Schedule>();
    public DbSet<ScheduleWebhook> ScheduleWebhooks => Set<ScheduleWebhook>();
    public DbSet<ConsoleSecret> ConsoleSecrets => Set<ConsoleSecret>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PgCloneDbContext).Assembly);
    }
}
