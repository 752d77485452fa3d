using PgClone.Core.Catalog;

namespace PgClone.Core.Ddl;

/// <summary>
/// Topological order of pre-data objects by their pg_depend edges (a view after what it selects from, a table
/// after the types and sequences its columns use). Among objects that are ready, the kind rank and then the name
/// decide, so the order is stable. A cycle is broken, as pg_dump does, at an object that can be made ahead of what it
/// needs (<c>aheadOfDependencies</c>: a view, first made as a placeholder with its columns and replaced at the end of
/// pre-data) when one is on the cycle — a view calling a function whose SQL body or result type uses the view —, else
/// at the first object by rank and name (a function body and a default that use each other).
/// </summary>
internal static class DependencyOrder
{
    public static List<T> Sort<T>(IReadOnlyList<T> items, Func<T, ObjectKey> key, Func<T, int> rank, Func<T, string> name,
        IEnumerable<(ObjectKey From, ObjectKey To)> dependencies, Func<T, bool>? aheadOfDependencies = null)
    {
        var index = new Dictionary<ObjectKey, int>();
        for (var i = 0; i < items.Count; i++) index[key(items[i])] = i;
        var waitingOn = new int[items.Count];
        var dependents = new List<int>[items.Count];
        var needs = new List<int>[items.Count];
        for (var i = 0; i < items.Count; i++) (dependents[i], needs[i]) = ([], []);
        foreach (var (from, to) in dependencies.Distinct())
        {
            if (!index.TryGetValue(from, out var f) || !index.TryGetValue(to, out var t) || f == t) continue;
            waitingOn[f]++;
            dependents[t].Add(f);
            needs[f].Add(t);
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
            else
            {
                next = aheadOfDependencies is null ? pending.Min
                    : pending.FirstOrDefault(i => aheadOfDependencies(items[i]) && OnCycle(i, needs, pending), pending.Min);
                pending.Remove(next);
            }
            result.Add(items[next]);
            foreach (var d in dependents[next])
                if (--waitingOn[d] == 0 && pending.Remove(d)) ready.Add(d);
        }
        return result;
    }

    /// <summary>Whether <paramref name="start"/> needs itself through items still pending.</summary>
    private static bool OnCycle(int start, List<int>[] needs, SortedSet<int> pending)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<int>(needs[start]);
        while (stack.TryPop(out var i))
        {
            if (i == start) return true;
            if (!pending.Contains(i) || !seen.Add(i)) continue;
            foreach (var n in needs[i]) stack.Push(n);
        }
        return false;
    }
}
