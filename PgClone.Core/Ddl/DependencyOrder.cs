using PgClone.Core.Catalog;

namespace PgClone.Core.Ddl;

/// <summary>
/// Topological order of pre-data objects by their pg_depend edges (a view after what it selects from, a table
/// after the types and sequences its columns use). Among objects that are ready, the kind rank and then the name
/// decide, so the order is stable. A cycle (rare: it needs a function body and a default that use each other) is
/// broken at the first object by rank and name.
/// </summary>
internal static class DependencyOrder
{
    public static List<T> Sort<T>(IReadOnlyList<T> items, Func<T, ObjectKey> key, Func<T, int> rank, Func<T, string> name,
        IEnumerable<(ObjectKey From, ObjectKey To)> dependencies)
    {
        var index = new Dictionary<ObjectKey, int>();
        for (var i = 0; i < items.Count; i++) index[key(items[i])] = i;
        var waitingOn = new int[items.Count];
        var dependents = new List<int>[items.Count];
        for (var i = 0; i < items.Count; i++) dependents[i] = [];
        foreach (var (from, to) in dependencies.Distinct())
        {
            if (!index.TryGetValue(from, out var f) || !index.TryGetValue(to, out var t) || f == t) continue;
            waitingOn[f]++;
            dependents[t].Add(f);
        }
        var comparer = Comparer<int>.Create((a, b) =>
        {
            var c = rank(items[a]).CompareTo(rank(items[b]));
            if (c == 0) c = string.CompareOrdinal(name(items[a]), name(items[b]));
            return c != 0 ? c : a.CompareTo(b);
        });
        var ready = new SortedSet<int>(comparer);
        var pending = new SortedSet<int>(comparer);
        for (var i = 0; i < items.Count; i++) (waitingOn[i] == 0 ? ready : pending).Add(i);
        var result = new List<T>(items.Count);
        while (result.Count < items.Count)
        {
            int next;
            if (ready.Count > 0) { next = ready.Min; ready.Remove(next); }
            else { next = pending.Min; pending.Remove(next); }
            result.Add(items[next]);
            foreach (var d in dependents[next])
                if (--waitingOn[d] == 0 && pending.Remove(d)) ready.Add(d);
        }
        return result;
    }
}
