using System.Text.RegularExpressions;

namespace PgClone.Core.Masking;

/// <summary>The kinds of personal or secret data discovery looks for.</summary>
public static class SensitiveCategory
{
    public const string Email = "email", Name = "name", Phone = "phone", NationalId = "national_id", Salary = "salary",
        Secret = "secret", Address = "address", PostalCode = "postal_code", BirthDate = "date_of_birth",
        CreditCard = "credit_card", IpAddress = "ip_address", Iban = "iban";
}

/// <summary>
/// Recognises sensitive columns by name. Names are split into words (snake_case, camelCase, digits) and matched on
/// whole words or on consecutive words run together, so <c>contact_email</c>, <c>homePhone</c> and
/// <c>credit_card_no</c> match while <c>description</c>, <c>capital</c> and <c>ship_address</c> (as an IP address)
/// do not. A bare <c>name</c> counts only in tables that hold people.
/// </summary>
public static partial class SensitiveNames
{
    private sealed record Rule(string Category, string[] Words, string[] Joined);

    // First match wins: "email_address" is an email, "ip_address" an IP address, not a street address.
    private static readonly Rule[] Rules =
    [
        new(SensitiveCategory.Email, ["email", "mail", "emailaddress"], ["email"]),
        new(SensitiveCategory.IpAddress, ["ip", "ipv4", "ipv6", "ipaddr", "ipaddress"], ["remoteaddr", "clientaddr", "ipaddress"]),
        new(SensitiveCategory.CreditCard, ["pan", "ccnum", "ccnumber", "cvv", "cvv2", "cvc"], ["creditcard", "cardnumber", "cardno", "cardnum", "ccnumber"]),
        // Bank account numbers go with IBANs: the same kind of data, written the national way.
        new(SensitiveCategory.Iban, ["iban"], ["bankaccount", "accountnumber", "accountno", "routingnumber", "sortcode"]),
        new(SensitiveCategory.NationalId, ["ssn", "nino", "passport"],
            ["socialsecurity", "nationalid", "taxid", "taxnumber", "nationalinsurance", "driverslicense", "driverlicense", "drivinglicence",
             "drivinglicense", "licensenumber", "nhsnumber"]),
        new(SensitiveCategory.Secret,
            ["password", "passwd", "pwd", "pw", "secret", "secrets", "token", "tokens", "apikey", "passphrase", "passcode", "salt", "credential", "credentials", "pwhash", "otp", "totp"],
            ["apikey", "privatekey", "accesskey", "secretkey", "passwordhash", "hashedpassword", "passwordsalt", "pwhash", "passhash",
             "accesstoken", "refreshtoken", "authtoken", "sessiontoken", "bearertoken", "clientsecret", "signingkey", "encryptionkey",
             "recoverycode", "sessionkey", "webhooksecret", "mfasecret"]),
        new(SensitiveCategory.Phone, ["phone", "mobile", "cellphone", "telephone", "tel", "fax", "msisdn"], ["phone"]),
        new(SensitiveCategory.BirthDate, ["dob", "birthday", "birthdate"], ["dateofbirth", "birthdate", "bornon"]),
        new(SensitiveCategory.Name, ["firstname", "lastname", "fullname", "surname", "forename", "fname", "lname", "maidenname"],
            ["firstname", "lastname", "fullname", "givenname", "familyname", "middlename", "maidenname", "contactname", "customername", "employeename"]),
        new(SensitiveCategory.Salary, ["salary", "income", "wage", "wages", "compensation", "payrate"], ["salary", "annualincome", "payrate"]),
        new(SensitiveCategory.PostalCode, ["zip", "zipcode", "postcode", "postalcode"], ["zipcode", "postalcode", "postcode"]),
        new(SensitiveCategory.Address, ["address", "street", "addr", "streetaddress"], ["address", "streetaddress", "homeaddress", "addressline"]),
    ];

    private static readonly HashSet<string> Qualifiers =
    [
        "type", "types", "kind", "status", "count", "verified", "confirmed", "enabled", "format", "algorithm", "algo", "policy",
        "version", "length", "len", "expires", "expiry", "expiration", "provider", "prefix", "hint", "rotated", "changed", "required",
    ];

    private static readonly HashSet<string> PeopleTables =
    [
        "customer", "customers", "user", "users", "employee", "employees", "person", "persons", "people", "contact", "contacts",
        "patient", "patients", "member", "members", "staff", "student", "students", "client", "clients", "account_holders",
    ];

    /// <summary>
    /// Whether a column of this type can hold data of the category: <c>mail_count integer</c> or <c>token_expires
    /// timestamptz</c> are not an email address or a secret. Kinds: t text, n number, d date/time, i inet/cidr.
    /// </summary>
    public static bool TypeFits(string category, char typeCategory, string dataType)
    {
        var kind = typeCategory switch { 'S' => 't', 'N' => 'n', 'D' => 'd', 'I' => 'i', 'U' when dataType == "bytea" => 't', _ => '?' };
        return category switch
        {
            SensitiveCategory.Salary => kind is 't' or 'n',
            SensitiveCategory.BirthDate => kind is 't' or 'd',
            SensitiveCategory.IpAddress => kind is 't' or 'i',
            SensitiveCategory.CreditCard or SensitiveCategory.NationalId or SensitiveCategory.Phone or SensitiveCategory.PostalCode => kind is 't' or 'n',
            _ => kind == 't',
        };
    }

    /// <summary>The category a column's name suggests, or null.</summary>
    public static string? CategoryOf(string table, string column)
    {
        var words = Words(column);
        // "phone_type", "email_status", "token_expiry", "password_algorithm": about the data, not the data.
        if (words.Length > 1 && Qualifiers.Contains(words[^1])) return null;
        foreach (var rule in Rules)
            if (words.Any(rule.Words.Contains) || rule.Joined.Any(j => IsWordRun(words, j)))
                return rule.Category;
        // Inside one word written run together ("homephone", "shipaddress") the word boundaries are unknown: the
        // match that starts last wins, so "shipaddress" is a street address rather than "sh" + "ipaddress".
        var inside = Rules.SelectMany(rule => rule.Joined.Select(j => (rule.Category, At: LastStartInsideAWord(words, j))))
            .Where(m => m.At >= 0).OrderByDescending(m => m.At).FirstOrDefault();
        if (inside.Category is not null) return inside.Category;
        return string.Concat(words) == "name" && PeopleTables.Contains(table.ToLowerInvariant()) ? SensitiveCategory.Name : null;
    }

    /// <summary>Whether consecutive whole words run together spell <paramref name="joined"/> ("credit_card_no": "creditcard").</summary>
    private static bool IsWordRun(string[] words, string joined)
    {
        for (var first = 0; first < words.Length; first++)
        {
            var run = "";
            for (var last = first; last < words.Length && run.Length < joined.Length; last++)
                if ((run += words[last]) == joined) return true;
        }
        return false;
    }

    /// <summary>
    /// Where <paramref name="joined"/> starts last inside a single word (its offset in that word), or -1: a match
    /// across a word boundary that does not start at one ("ship_address" holding "ipaddress") is no match.
    /// </summary>
    private static int LastStartInsideAWord(string[] words, string joined) =>
        words.Select(w => w.LastIndexOf(joined, StringComparison.Ordinal)).DefaultIfEmpty(-1).Max();

    public static string[] Words(string name) =>
        WordPattern().Matches(name).Select(m => m.Value.ToLowerInvariant()).ToArray();

    [GeneratedRegex("[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")]
    private static partial Regex WordPattern();
}
