using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PgClone.Web.Data;

/// <summary>For `dotnet ef`: builds the model without starting the console or its embedded server.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PgCloneDbContext>
{
    public PgCloneDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PgCloneDbContext>().UseNpgsql("Host=localhost;Database=pgclone").Options);
}
