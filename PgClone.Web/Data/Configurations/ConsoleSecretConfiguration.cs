using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class ConsoleSecretConfiguration : IEntityTypeConfiguration<ConsoleSecret>
{
    public void Configure(EntityTypeBuilder<ConsoleSecret> e)
    {
        e.ToTable("console_secrets");
        e.HasKey(s => s.Name);
        e.Property(s => s.Name).HasMaxLength(100);
    }
}
