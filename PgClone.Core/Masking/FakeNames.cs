namespace PgClone.Core.Masking;

/// <summary>
/// The built-in lists fake_name and fake_email pick from. 64 entries each, so one hash byte picks an entry
/// without bias (256 is a multiple of 64). The lists are embedded in the mask SQL as array literals.
/// </summary>
internal static class FakeNames
{
    public static readonly string[] First =
    [
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
        "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
        "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy",
        "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley", "Paul", "Emily",
        "Andrew", "Donna", "Joshua", "Michelle", "Kevin", "Carol", "Brian", "Amanda",
        "George", "Melissa", "Edward", "Deborah", "Ronald", "Stephanie", "Timothy", "Rebecca",
        "Jason", "Laura", "Jeffrey", "Sharon", "Ryan", "Cynthia", "Jacob", "Kathleen",
        "Gary", "Amy", "Nicholas", "Angela", "Eric", "Anna", "Jonathan", "Ruth",
    ];

    public static readonly string[] Last =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
        "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
        "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
        "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
        "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
        "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
        "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
        "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy",
    ];

    /// <summary>Reserved for documentation (RFC 2606): fake addresses can never reach a real mailbox.</summary>
    public static readonly string[] Domains = ["example.com", "example.org", "example.net", "example.com"];

    /// <summary>Bytes of the longest fake_name: first, space, last.</summary>
    public static readonly int LongestName = First.Max(f => f.Length) + 1 + Last.Max(l => l.Length);

    /// <summary>Bytes of the longest fake_email: first.last, up to three digits, '@', domain.</summary>
    public static readonly int LongestEmail = LongestName + 3 + 1 + Domains.Max(d => d.Length);
}
