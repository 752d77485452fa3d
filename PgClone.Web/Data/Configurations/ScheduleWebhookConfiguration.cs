using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PgClone.Web.Data.Configurations;

public sealed class ScheduleWebhookConfiguration : IEntityTypeConfiguration<ScheduleWebhook>
{
    public void Configure(EntityTypeBuilder<ScheduleWebhook> e)
    {
        e.ToTable("schedule_webhooks");
        e.Property(w => w.Url).HasMaxLength(2000);
        e.Property(w => w.Events).HasMaxLength(100);
    }
}
