"""Time the walking figure's shortest paths: scipy vs networkx (vs igraph).

The walking figure of SPEC §3 (:mod:`analysis.walk`) needs, for every node
of the road network, min over sites of (site → its nearest node, straight)
+ shortest path, up to the walking budget.  Each library gets the same
network (:func:`analysis.walk.road_network`) and the same virtual source
joined to the node nearest each site, and must return the same distances:

* **scipy** — ``scipy.sparse.csgraph.dijkstra`` on a CSR matrix, one source,
  ``limit`` = the budget (what :func:`analysis.walk.network_distances` does);
* **networkx** — ``nx.Graph`` then ``single_source_dijkstra_path_length``
  with ``cutoff`` = the budget;
* **igraph** (when installed, ``requirements-bench.txt``) — ``Graph.distances``
  from the source (no cutoff in its API; all nodes).

Cases: the bundled demo (its synthetic roads, sites and units) and a larger
synthetic network — a square lattice of roads with a vertex every 150 m, 10 %
of the segments missing, 1 site per 80 nodes.  Times are medians of
``--repeat`` runs; "graph" is building the library's graph from the edge
arrays, "paths" the search.  The whole figure (``walk_units``: units, network,
search) is timed on the demo too.

Usage::

    .venv/bin/python -m benchmarks.bench_walk [--lattice-nodes 400000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
BUDGET_M = 1000.0                 # 15 minutes at 4 km/h


def _median(repeat: int, func, *args):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def _source(network, sites_xy):
    """Per node, the shortest access line of a site whose nearest node it is (inf: none)."""
    from scipy.spatial import cKDTree

    offset, nearest = cKDTree(network.nodes).query(sites_xy)
    start = np.full(len(network.nodes), np.inf)
    np.minimum.at(start, nearest, offset)
    return start


def scipy_paths(network, start, limit):
    from scipy.sparse.csgraph import dijkstra

    graph = network.graph(start)
    return lambda: dijkstra(graph, directed=True, indices=len(start), limit=limit)[:-1], graph


def networkx_paths(network, start, limit):
    import networkx as nx

    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(network.edges[:, 0].tolist(), network.edges[:, 1].tolist(),
                                      network.lengths.tolist()))
    first = np.flatnonzero(np.isfinite(start))
    graph.add_weighted_edges_from((-1, int(j), float(start[j])) for j in first)

    def run():
        found = nx.single_source_dijkstra_path_length(graph, -1, cutoff=limit)
        out = np.full(len(start), np.inf)
        keys = np.fromiter((k for k in found if k >= 0), dtype=np.int64)
        out[keys] = [found[k] for k in keys.tolist()]
        return out
    return run, graph


def igraph_paths(network, start, limit):
    import igraph as ig

    n = len(start)
    first = np.flatnonzero(np.isfinite(start))
    edges = np.concatenate([network.edges, np.column_stack([np.full(len(first), n), first])])
    graph = ig.Graph(n=n + 1, edges=edges.tolist(), directed=False)
    graph.es["weight"] = np.concatenate([network.lengths, start[first]]).tolist()

    def run():
        out = np.asarray(graph.distances(source=[n], weights="weight")[0][:n], dtype=float)
        return np.where(out <= limit, out, np.inf)
    return run, graph


LIBRARIES = {"scipy": scipy_paths, "networkx": networkx_paths, "igraph": igraph_paths}


def compare(name: str, network, sites_xy, repeat: int) -> list[dict]:
    """Build and search with every library; check their distances equal scipy's."""
    start = _source(network, sites_xy)
    rows, reference = [], None
    for library, make in LIBRARIES.items():
        try:
            (run, _), graph_s = _median(repeat, make, network, start, BUDGET_M)
        except ImportError:
            rows.append({"case": name, "library": library, "missing": True})
            continue
        found, paths_s = _median(repeat, run)
        reference = found if reference is None else reference
        same = np.array_equal(np.isfinite(found), np.isfinite(reference))
        both = np.isfinite(found) & np.isfinite(reference)
        rows.append({"case": name, "library": library, "nodes": len(network.nodes),
                     "edges": len(network.edges), "sites": len(sites_xy), "graph_s": graph_s,
                     "paths_s": paths_s, "reached_nodes": int(np.isfinite(found).sum()),
                     "same": bool(same and np.allclose(found[both], reference[both],
                                                       rtol=0, atol=1e-6))})
    return rows


def demo_case(repeat: int):
    """The demo's network and sites, and the whole figure timed."""
    sys.path.insert(0, str(ROOT))
    import shapely

    from analysis import walk
    from geo.crs import metric_crs, to_metric
    from geo.dataset import load_dataset

    data = load_dataset(DEMO)
    crs = metric_crs(data.villages)
    network = walk.road_network(data.roads, crs)
    sites_xy = shapely.get_coordinates(to_metric(data.service_sites.geometry, crs).to_numpy())
    units, whole_s = _median(repeat, walk.walk_units, data.villages, data.service_sites,
                             data.roads, data.grids, 15.0, 4.0, crs)
    return network, sites_xy, {"units": len(units), "walk_units_s": whole_s}


def lattice_case(nodes: int, seed: int = 16):
    """A square road lattice of about ``nodes`` vertices (150 m apart), 10 % of the
    segments removed, one site per 80 nodes at random points."""
    sys.path.insert(0, str(ROOT))
    from analysis.walk import RoadNetwork

    rng = np.random.default_rng(seed)
    side = int(np.sqrt(nodes))
    ids = np.arange(side * side).reshape(side, side)
    edges = np.concatenate([np.column_stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()]),
                            np.column_stack([ids[:-1, :].ravel(), ids[1:, :].ravel()])])
    edges = edges[rng.random(len(edges)) >= 0.10]
    xy = np.column_stack([(ids % side).ravel(), (ids // side).ravel()]) * 150.0
    network = RoadNetwork(xy, edges, np.full(len(edges), 150.0), "lattice")
    sites_xy = rng.uniform(0, side * 150.0, size=(len(xy) // 80, 2))
    return network, sites_xy


def format_table(rows: list[dict]) -> str:
    lines = ["| case | library | nodes | edges | sites | graph s | paths s | total s "
             "| nodes within 1,000 m | same as scipy |", "|" + "---|" * 10]
    for r in rows:
        if r.get("missing"):
            lines.append(f"| {r['case']} | {r['library']} | not installed | | | | | | | |")
            continue
        lines.append(f"| {r['case']} | {r['library']} | {r['nodes']:,} | {r['edges']:,} "
                     f"| {r['sites']:,} | {r['graph_s']:.3f} | {r['paths_s']:.3f} "
                     f"| {r['graph_s'] + r['paths_s']:.3f} | {r['reached_nodes']:,} "
                     f"| {'yes' if r['same'] else 'NO'} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="步行服务圈最短路径：scipy 与 networkx、igraph 的比较")
    parser.add_argument("--lattice-nodes", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    network, sites_xy, whole = demo_case(args.repeat)
    rows = compare("demo", network, sites_xy, args.repeat)
    big, big_sites = lattice_case(args.lattice_nodes)
    rows += compare("lattice", big, big_sites, args.repeat)
    print(format_table(rows))
    print(f"\ndemo: walk_units (units, network, search) for {whole['units']:,} units: "
          f"{whole['walk_units_s']:.3f} s (median of {args.repeat})")
    return 0 if all(r.get("same", True) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
