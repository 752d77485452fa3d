using PgClone.Web.Runs;
using PgClone.Web.Schedules;

namespace PgClone.Tests.Web.Schedules;

/// <summary>Cron expressions in words and their next firings in a time zone.</summary>
public sealed class CronDescriberTests
{
    [Theory]
    [InlineData("0 0 2 * * ?", "At 02:00, every day")]
    [InlineData("0 30 2 ? * MON-FRI", "At 02:30, Monday through Friday")]
    [InlineData("15 5 1,13 * * ?", "At 01:05:15 and 13:05:15, every day")]
    [InlineData("0/5 * * * * ?", "Every 5 seconds, every day")]
    [InlineData("0 0/15 9-17 ? * MON,WED,FRI", "Every 15 minutes, between 09:00 and 17:59, on Monday, Wednesday and Friday")]
    [InlineData("0 0 */6 * * ?", "Every 6 hours at minute 0, every day")]
    [InlineData("0 10 * * * ?", "At minute 10 of every hour, every day")]
    [InlineData("0 0 3 L * ?", "At 03:00, on the last day of the month")]
    [InlineData("0 0 3 15W * ?", "At 03:00, on the weekday nearest day 15 of the month")]
    [InlineData("0 0 4 ? * 6#3", "At 04:00, on the third Friday of the month")]
    [InlineData("0 0 4 ? * 2L", "At 04:00, on the last Monday of the month")]
    [InlineData("0 0 1 1 JAN-MAR ?", "At 01:00, on day 1 of the month, in January through March")]
    [InlineData("0 0 0 1 1 ? 2099", "At 00:00, on day 1 of the month, in January, in 2099")]
    public void Describes_common_forms(string cron, string words) => Assert.Equal(words, CronDescriber.Describe(cron));

    [Fact]
    public void The_next_five_firings_are_in_the_time_zone_across_a_daylight_saving_change()
    {
        // Europe/Paris leaves summer time on 2026-10-25 at 03:00: 02:30 happens twice that night and fires at the first
        // (+02:00); from then on it is +01:00.
        var preview = ScheduleClock.Preview("0 30 2 * * ?", "Europe/Paris", new DateTimeOffset(2026, 10, 22, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal("At 02:30, every day", preview.Description);
        Assert.Equal(["2026-10-23T02:30:00+02:00", "2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00", "2026-10-27T02:30:00+01:00"],
            preview.Next.Select(t => t.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Bad_expressions_and_zones_are_refused_in_one_line()
    {
        var cron = Assert.Throws<RunRejectedException>(() => ScheduleClock.Preview("0 61 * * * ?", "UTC", DateTimeOffset.UtcNow));
        Assert.StartsWith("invalid cron expression '0 61 * * * ?': ", cron.Message);
        var zone = Assert.Throws<RunRejectedException>(() => ScheduleClock.Preview("0 0 2 * * ?", "Mars/Olympus", DateTimeOffset.UtcNow));
        Assert.Equal("unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Paris or UTC", zone.Message);
    }
}
