namespace PgClone.Core.Catalog;

// The object kinds beyond tables, types and functions that pg_dump 15 emits. Every name below that refers to
// another object (a function, a type, an operator) is already rendered as SQL by the server, schema-qualified
// (the catalog is read with search_path = pg_catalog), so it names the same object on the target.
// Object keys: 'f' aggregate (a pg_proc row), 'o' operator, 'F' operator family, 'C' operator class,
// 'P'/'T'/'D'/'G' text search parser/template/dictionary/configuration, 'k' cast, 'v' conversion,
// 'A' access method, 'w' rule, 'E' event trigger, 'B' publication, 'W' foreign-data wrapper, 'S' server.

/// <summary>CREATE AGGREGATE's clauses, as pg_aggregate holds them; null for a clause not set.</summary>
public sealed record AggregateInfo(uint Oid, QualifiedName Name, string Arguments, string IdentityArguments, char Kind,
    string TransFn, string StateType, int StateSpace, string? InitValue, string? FinalFn, bool FinalExtra, char FinalModify,
    string? CombineFn, string? SerialFn, string? DeserialFn,
    string? MovingTransFn, string? MovingInverseFn, string? MovingStateType, int MovingStateSpace, string? MovingInitValue,
    string? MovingFinalFn, bool MovingFinalExtra, char MovingFinalModify, string? SortOperator, char Parallel, string Owner, string? Comment)
{
    public string Signature => $"{Name.Quoted}({IdentityArguments})";
}

/// <summary>An operator; Left null for a prefix operator. Commutator and negator are OPERATOR(schema.name).</summary>
public sealed record OperatorInfo(uint Oid, QualifiedName Name, string? Left, string? Right, string Function, string? Commutator, string? Negator,
    string? Restrict, string? Join, bool Hashes, bool Merges, string Owner, string? Comment)
{
    /// <summary>schema.op (left, right) as COMMENT and ALTER name it; Name.Name is the operator's symbol, never quoted.</summary>
    public string Signature => $"{Connections.Sql.Ident(Name.Schema)}.{Name.Name} ({Left ?? "NONE"}, {Right ?? "NONE"})";
    /// <summary>pg_operator.oprcom and oprnegate (0 for none).</summary>
    public uint CommutatorOid { get; init; }
    public uint NegatorOid { get; init; }
}

/// <summary>
/// An operator family and the members that belong to it loosely (ALTER OPERATOR FAMILY ... ADD), each rendered as
/// "OPERATOR n op(left,right) [FOR ORDER BY family]" or "FUNCTION n (left, right) function(args)".
/// </summary>
public sealed record OperatorFamilyInfo(uint Oid, QualifiedName Name, string Method, IReadOnlyList<string> Members, string Owner, string? Comment);

/// <summary>An operator class with its members (same rendering as a family's); Family is the family it belongs to.</summary>
public sealed record OperatorClassInfo(uint Oid, QualifiedName Name, string Method, string Type, bool IsDefault, QualifiedName Family,
    string? StorageType, IReadOnlyList<string> Members, string Owner, string? Comment);

public sealed record TextSearchParserInfo(uint Oid, QualifiedName Name, string Start, string GetToken, string End, string? Headline, string LexTypes, string? Comment);

public sealed record TextSearchTemplateInfo(uint Oid, QualifiedName Name, string? Init, string Lexize, string? Comment);

/// <summary>A dictionary; Options is dictinitoption as the server keeps it ("stopwords = 'english', ...").</summary>
public sealed record TextSearchDictionaryInfo(uint Oid, QualifiedName Name, string Template, string? Options, string Owner, string? Comment);

/// <summary>A configuration and its mappings: token type alias and the dictionaries, in order.</summary>
public sealed record TextSearchConfigInfo(uint Oid, QualifiedName Name, string Parser, IReadOnlyList<(string Token, string Dictionaries)> Mappings,
    string Owner, string? Comment);

/// <summary>A cast: Method 'f' function, 'i' in/out, 'b' binary coercible; Context 'e' explicit, 'a' assignment, 'i' implicit.</summary>
public sealed record CastInfo(uint Oid, string Source, string Target, string? Function, char Method, char Context, string? Comment);

/// <summary>A procedural language made with CREATE LANGUAGE (not by an extension): its handler, inline and validator functions.</summary>
public sealed record LanguageInfo(uint Oid, string Name, bool Trusted, string Handler, string? Inline, string? Validator, string Owner, string? Comment);

/// <summary>CREATE TRANSFORM FOR Type LANGUAGE Language (FROM SQL WITH FUNCTION ..., TO SQL WITH FUNCTION ...): the functions as regprocedure text.</summary>
public sealed record TransformInfo(uint Oid, string Type, string Language, string? FromSql, string? ToSql, string? Comment);

public sealed record ConversionInfo(uint Oid, QualifiedName Name, string From, string To, string Function, bool IsDefault, string Owner, string? Comment);

/// <summary>An access method: Type 't' table, 'i' index.</summary>
public sealed record AccessMethodInfo(uint Oid, string Name, char Type, string Handler, string? Comment);

/// <summary>A rule other than a view's _RETURN rule, as pg_get_ruledef renders it; Enabled as pg_rewrite.ev_enabled.</summary>
public sealed record RuleInfo(uint Oid, uint TableOid, string Name, string Definition, char Enabled, string? Comment)
{
    /// <summary>The numbers of its table's columns it reads (its qualification's and actions' NEW and OLD columns).</summary>
    public IReadOnlyList<int> Columns { get; init; } = [];
}

public sealed record EventTriggerInfo(uint Oid, string Name, string Event, IReadOnlyList<string> Tags, string Function, char Enabled, string Owner, string? Comment);

/// <summary>A publication; Tables are "ONLY schema.table [(cols)] [WHERE (...)]" and Schemas quoted names.</summary>
public sealed record PublicationInfo(uint Oid, string Name, bool AllTables, IReadOnlyList<string> Publish, bool ViaRoot,
    IReadOnlyList<string> Tables, IReadOnlyList<string> Schemas, string Owner, string? Comment)
{
    /// <summary>The relations of <see cref="Tables"/>, in the same order.</summary>
    public IReadOnlyList<uint> TableOids { get; init; } = [];
}

/// <summary>
/// A subscription of the current database: its connection, publications, slot (null: NONE) and options as
/// pg_subscription holds them (Streaming, Binary, TwoPhase 'd' for disabled, DisableOnError, SyncCommit).
/// </summary>
public sealed record SubscriptionInfo(uint Oid, string Name, string ConnInfo, IReadOnlyList<string> Publications, string? SlotName,
    bool Binary, bool Streaming, char TwoPhase, bool DisableOnError, string SyncCommit, string Owner, string? Comment);

/// <summary>Generic options (FDWs, servers, user mappings, foreign tables and their columns) as "name=value".</summary>
public sealed record ForeignWrapperInfo(uint Oid, string Name, string? Handler, string? Validator, IReadOnlyList<string> Options, string Owner, string? Comment);

public sealed record ForeignServerInfo(uint Oid, string Name, string Wrapper, string? Type, string? Version, IReadOnlyList<string> Options,
    IReadOnlyList<(string? User, IReadOnlyList<string> Options)> UserMappings, string Owner, string? Comment);

/// <summary>A foreign table's server and options, and its columns' options by name.</summary>
public sealed record ForeignTableInfo(uint TableOid, string Server, IReadOnlyList<string> Options, IReadOnlyDictionary<string, IReadOnlyList<string>> ColumnOptions);

/// <summary>A large object's metadata: owner, comment, and its privilege changes from the default.</summary>
public sealed record LargeObjectInfo(uint Oid, string Owner, string? Comment, IReadOnlyList<LargeObjectGrant> Privileges);

/// <summary>
/// One privilege granted, or of the default revoked, on a large object. Grantee null is PUBLIC; Grantor is the role
/// that granted when not the owner (a holder of the grant option passed it on).
/// </summary>
public sealed record LargeObjectGrant(bool Grant, string? Grantee, string Privilege, bool Grantable, string? Grantor);

/// <summary>
/// The database-wide objects and settings a database clone carries besides the schemas' contents: comments and
/// owners of what exists anyway (schema public, extensions), default privileges, database settings.
/// </summary>
/// <summary>
/// One ALTER DATABASE ... SET setting, or with a Role one ALTER ROLE ... IN DATABASE ... SET setting: its name, its
/// value as stored (a list's elements as one string), and whether a session can SET it (a server setting of context
/// user or superuser, or an extension's custom one).
/// </summary>
public sealed record DatabaseSetting(string Name, string Value, bool SessionSettable, string? Role = null);

public sealed record DatabaseObjects
{
    public IReadOnlyList<AccessMethodInfo> AccessMethods { get; init; } = [];
    public IReadOnlyList<EventTriggerInfo> EventTriggers { get; init; } = [];
    public IReadOnlyList<PublicationInfo> Publications { get; init; } = [];
    public IReadOnlyList<SubscriptionInfo> Subscriptions { get; init; } = [];
    /// <summary>Subscriptions whose connection the reading user may not see (pg_subscription.subconninfo needs a superuser).</summary>
    public IReadOnlyList<string> UnreadableSubscriptions { get; init; } = [];
    public IReadOnlyList<ForeignWrapperInfo> ForeignWrappers { get; init; } = [];
    public IReadOnlyList<ForeignServerInfo> ForeignServers { get; init; } = [];
    /// <summary>Large objects (their data is streamed after the tables').</summary>
    public IReadOnlyList<LargeObjectInfo> LargeObjects { get; init; } = [];
    /// <summary>
    /// Comments on extensions, by extension name; not on the ones initdb made (plpgsql), which pg_dump leaves out
    /// but for their members' privileges: every database has them already, owned by the bootstrap superuser.
    /// </summary>
    public IReadOnlyList<(string Extension, string Comment)> ExtensionComments { get; init; } = [];
    /// <summary>pg_default_acl entries as changes from their baseline (the built-in default for a global entry, nothing for a schema's).</summary>
    public IReadOnlyList<DefaultPrivilegeInfo> DefaultPrivileges { get; init; } = [];
    /// <summary>ALTER DATABASE ... SET settings, then ALTER ROLE ... IN DATABASE ... SET ones by role, each in their stored order.</summary>
    public IReadOnlyList<DatabaseSetting> Settings { get; init; } = [];
    /// <summary>The database's own comment, owner and privilege changes (a database-create clone applies them).</summary>
    public string? Comment { get; init; }
    public string Owner { get; init; } = "";
    public IReadOnlyList<AclChange> Privileges { get; init; } = [];
}

/// <summary>ALTER DEFAULT PRIVILEGES FOR ROLE Role [IN SCHEMA Schema] GRANT/REVOKE Privileges ON ObjectType ('r','S','f','T','n') TO/FROM Grantee (null = PUBLIC).</summary>
public sealed record DefaultPrivilegeInfo(string Role, string? Schema, char ObjectType, bool Grant, string? Grantee, IReadOnlyList<string> Privileges, bool Grantable);

/// <summary>What CREATE DATABASE states of a database: encoding, locale (libc or ICU), connection limit, tablespace (null: pg_default).</summary>
public sealed record DatabaseProperties(string Encoding, string Collate, string Ctype, char LocaleProvider, string? IcuLocale, int ConnectionLimit, string? Tablespace);
