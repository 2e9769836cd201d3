"""Auto-suggest against spopt's ``MaxPHeuristic`` and ``Skater`` on the demo, side by side.

All methods get the same candidate villages — the uncovered villages of the
county with the most of them, of the county with the most uncovered strong
villages (where groups are possible at all), and of the whole city — and
the same adjacency: the SPEC §4 neighbour sets (touch or within 10 m)
restricted to the candidates and, with ``within_township`` on (the
default rules), to pairs in one township — for spopt a
``libpysal.weights.W`` of exactly those sets.  spopt partitions every
candidate it is given, so components that cannot meet its threshold
(fewer than 3 villages, or no strong village) are dropped first, as spopt's
``policy="drop"`` would.  Every method's groups are then checked with
:func:`analysis.suggest_checks.suggestion_violations` (size 3–6,
contiguous, a strong village, one township).

Runs:

* ``suggest`` — :func:`analysis.suggest.suggest_groups` (median of 3 runs);
* ``MaxP n≥3`` — ``MaxPHeuristic``, threshold 3 villages per region;
* ``MaxP strong≥1`` — ``MaxPHeuristic``, threshold 1 strong village per region;
* ``Skater`` — ``n_clusters`` = candidates / 4.5 (mean of the 3–6 band),
  ``floor`` 3 villages.

spopt attributes: income(eval) (万元, missing → 0).  spopt runs in a child
process (``np.random.seed(0)``) with a time limit per run (``--timeout``) and
for all runs together (``--budget``); a run over it is reported as
``skipped (> N s)`` and killed.  Needs ``pip install -r requirements-bench.txt``.

Usage::

    .venv/bin/python -m benchmarks.bench_suggest            # county and city
    .venv/bin/python -m benchmarks.bench_suggest --quick    # first county only (CI smoke)
    .venv/bin/python -m benchmarks.bench_suggest --county 350423 --timeout 120
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

from analysis.adjacency import neighbour_sets, village_adjacency
from analysis.grouping import GroupRules
from analysis.suggest import scope_candidates, suggest_groups
from analysis.suggest_checks import suggestion_violations
from analysis.village_attributes import village_attributes
from geo import schema as s
from geo.dataset import load_dataset

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
log = logging.getLogger(__name__)


def restricted_neighbours(attributes, neighbours, codes, within_township: bool) -> dict:
    """The neighbour sets among ``codes`` (and within one township when asked), sorted lists."""
    inside = set(codes)
    township = attributes[s.TOWNSHIP_CODE].to_dict()
    return {c: sorted(n for n in neighbours.get(c, ()) if n in inside and n != c
                      and (not within_township or township[n] == township[c]))
            for c in codes}


def feasible_codes(adjacency: dict, enough) -> list:
    """Codes in connected components for which ``enough(component codes)`` holds."""
    seen, keep = set(), []
    for start in sorted(adjacency):
        if start in seen:
            continue
        component, stack = [], [start]
        seen.add(start)
        while stack:
            c = stack.pop()
            component.append(c)
            for n in adjacency[c]:
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        if enough(component):
            keep.extend(component)
    return sorted(keep)


def _spopt_child(method: str, frame, adjacency: dict, params: dict, conn) -> None:
    import warnings

    import numpy as np
    from libpysal.weights import W
    from spopt.region import MaxPHeuristic, Skater

    warnings.filterwarnings("ignore")
    np.random.seed(0)
    ids = sorted(adjacency)  # spopt indexes w.neighbors by position: ids 0 … n-1
    pos = {c: i for i, c in enumerate(ids)}
    w = W({pos[c]: [pos[n] for n in adjacency[c]] for c in ids}, silence_warnings=True)
    frame = frame.loc[ids].reset_index(drop=True)
    start = time.perf_counter()
    if method == "maxp":
        model = MaxPHeuristic(frame, w, ["income"], params["threshold_name"],
                              params["threshold"], policy="keep")
    else:
        model = Skater(frame, w, ["income"], n_clusters=params["n_clusters"],
                       floor=params["floor"], islands="increase")
    model.solve()
    conn.send((time.perf_counter() - start, ids, [int(x) for x in model.labels_]))


def run_spopt(method: str, frame, adjacency: dict, params: dict, timeout: float):
    """``(seconds, [[codes] per region])`` of one spopt run, or ``(None, reason)``."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_spopt_child, args=(method, frame, adjacency, params, child))
    proc.start()
    child.close()  # so that a child dying without an answer reads as EOF at once
    ready = parent.poll(timeout)
    if not ready:
        proc.kill()
        proc.join()
        return None, f"skipped (> {timeout:.0f} s)"
    try:
        seconds, ids, labels = parent.recv()
    except EOFError:
        proc.join()
        return None, f"failed (exit {proc.exitcode})"
    proc.join()
    regions: dict[int, list] = {}
    for code, label in zip(ids, labels):
        regions.setdefault(label, []).append(code)
    return seconds, [sorted(r) for _, r in sorted(regions.items())]


def summarise(method, scope, seconds, groups, attributes, neighbours, rules) -> dict:
    """One table row: what the groups cover and which rules they break."""
    weak = attributes["weak"]
    members = [list(g.villages) if hasattr(g, "villages") else list(g) for g in groups]
    broken = [suggestion_violations([m], attributes, neighbours, rules) for m in members]
    valid = [m for m, b in zip(members, broken) if not b]
    return {"method": method, "scope": scope, "runtime_s": seconds, "groups": len(members),
            "villages": sum(map(len, members)),
            "weak": sum(int(weak[c]) for m in members for c in m),
            "violations": sum(map(len, broken)), "bad_groups": sum(1 for b in broken if b),
            "valid_villages": sum(map(len, valid)),
            "weak_valid": sum(int(weak[c]) for m in valid for c in m)}


def bench_scope(scope, codes, attributes, neighbours, rules, timeout, deadline) -> list:
    """Rows for ``suggest`` and the three spopt runs on the candidate ``codes``.

    Each spopt run gets ``timeout`` seconds, less when ``deadline``
    (``time.perf_counter()`` value) comes first; past it, runs are skipped.
    """
    times, groups = [], []
    for _ in range(3):
        start = time.perf_counter()
        groups = suggest_groups(attributes, neighbours, codes, rules)
        times.append(time.perf_counter() - start)
    rows = [summarise("suggest", scope, statistics.median(times), groups, attributes,
                      neighbours, rules)]
    adjacency = restricted_neighbours(attributes, neighbours, codes, rules.within_township)
    frame = attributes.loc[codes, ["strong"]].copy()
    frame["income"] = attributes.loc[codes, "income_eval"].fillna(0.0)
    frame["n"] = 1
    frame["strong_n"] = frame["strong"].astype(int)
    big_enough = feasible_codes(adjacency, lambda comp: len(comp) >= rules.min_size)
    with_strong = feasible_codes(adjacency, lambda comp: len(comp) >= rules.min_size
                                 and frame.loc[comp, "strong_n"].sum() >= 1)
    runs = [("MaxP n≥3", "maxp", big_enough, {"threshold_name": "n",
                                              "threshold": rules.min_size}),
            ("MaxP strong≥1", "maxp", with_strong, {"threshold_name": "strong_n",
                                                    "threshold": 1}),
            ("Skater", "skater", big_enough,
             {"n_clusters": max(1, round(len(big_enough)
                                         / ((rules.min_size + rules.max_size) / 2))),
              "floor": rules.min_size})]
    for label, method, subset, params in runs:
        if not subset:
            rows.append({"method": label, "scope": scope, "note": "no feasible component"})
            continue
        limit = min(timeout, deadline - time.perf_counter())
        if limit <= 0:
            rows.append({"method": label, "scope": scope, "note": "skipped (total budget)"})
            continue
        inside = set(subset)
        sub = {c: [n for n in adjacency[c] if n in inside] for c in subset}
        seconds, result = run_spopt(method, frame.loc[subset], sub, params, limit)
        if seconds is None:
            rows.append({"method": label, "scope": scope, "note": result})
        else:
            rows.append(summarise(label, scope, seconds, result, attributes, neighbours, rules))
        log.info("%s %s done", label, scope)
    return rows


COLUMNS = (("method", "method", 14), ("scope", "scope", 14), ("runtime_s", "runtime s", 10),
           ("groups", "groups", 7), ("villages", "villages", 9), ("weak", "weak", 5),
           ("violations", "violations", 11), ("bad_groups", "bad groups", 11),
           ("valid_villages", "villages ok", 12), ("weak_valid", "weak ok", 8))


def format_table(rows) -> str:
    """Plain-text table; ``… ok`` columns count only groups that break no rule."""
    def cell(row, key):
        value = row.get(key)
        if key == "runtime_s" and value is not None:
            return f"{value:.3f}"
        return "" if value is None else str(value)

    lines = ["  ".join(f"{title:<{width}}" for _, title, width in COLUMNS)]
    for row in rows:
        if "note" in row:
            lines.append(f"{row['method']:<14}  {row['scope']:<14}  {row['note']}")
        else:
            lines.append("  ".join(f"{cell(row, key):<{width}}" for key, _, width in COLUMNS))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="county only")
    parser.add_argument("--county", help="county code (default: most uncovered villages)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds per spopt run (default 60)")
    parser.add_argument("--budget", type=float, default=240.0,
                        help="seconds for all spopt runs together (default 240)")
    parser.add_argument("--across-townships", action="store_true",
                        help="within_township off (default on)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rules = GroupRules(within_township=not args.across_townships)
    start = time.perf_counter()
    data = load_dataset(DEMO)
    villages = data.layers[s.VILLAGES]
    attributes = village_attributes(villages, data.layers[s.VILLAGE_INCOME],
                                    data.layers[s.JOINT_MEMBERS])
    prep = time.perf_counter()
    neighbours = neighbour_sets(village_adjacency(villages))
    adjacency_s = time.perf_counter() - prep
    city = scope_candidates(attributes)
    uncovered = attributes.loc[city].groupby(s.COUNTY_CODE).agg(n=("strong", "size"),
                                                                 strong=("strong", "sum"))
    counties = [args.county or uncovered.sort_values("n", ascending=False, kind="stable").index[0]]
    if not args.quick and not args.county:  # also the county with the most strong villages
        counties.append(uncovered.sort_values(["strong", "n"], ascending=False,
                                              kind="stable").index[0])
    scopes = [(f"county {c}", scope_candidates(attributes, county_code=c))
              for c in dict.fromkeys(counties)]
    if not args.quick:
        scopes.append(("city", city))
    print(f"rules: {rules.min_size}–{rules.max_size} villages, strong village required, "
          f"within township: {rules.within_township}; adjacency built once in {adjacency_s:.2f} s")
    for name, codes in scopes:
        strong = int(attributes.loc[codes, "strong"].sum())
        weak = int(attributes.loc[codes, "weak"].sum())
        print(f"{name}: {len(codes)} candidate villages, {strong} strong, {weak} weak")
    rows, deadline = [], time.perf_counter() + args.budget
    for name, codes in scopes:
        rows += bench_scope(name, codes, attributes, neighbours, rules, args.timeout, deadline)
    print(format_table(rows))
    print(f"total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
