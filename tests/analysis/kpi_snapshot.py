"""The figures of SPEC §3 frozen for the exactness check (tests/analysis/test_kpi_snapshot.py).

Every case runs the public entry points (:func:`analysis.kpis.compute_kpis`,
:func:`analysis.kpis.kpis_by_area`) on the bundled demo and on a small
synthetic dataset (:func:`benchmarks.synthetic.make_layers`, fixed seed, written
to a GeoPackage and read back as real data arrives).  The snapshot in
``data/kpi_snapshot.json`` was written by the code *before* the geometric work
was reorganised for speed; any later change must reproduce it within 1e-9.

Rewrite the snapshot only when a figure's definition changes on purpose::

    .venv/bin/python -m tests.analysis.kpi_snapshot
"""
from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path

from analysis.kpis import compute_kpis, kpis_by_area, prepare_kpis
from analysis.params import Params
from geo.dataset import load_dataset

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
SNAPSHOT = HERE / "data" / "kpi_snapshot.json"
SYNTHETIC_VILLAGES, SYNTHETIC_SEED = 600, 7
# Figures added to SPEC §3 after the snapshot was written: present in the
# results, absent from the snapshot (checked by their own tests).
NEWER_KEYS = frozenset({"walk_service_population_coverage"})
OTHER = Params(base_year=2019, eval_year=2021, low_income_threshold=12.0,
               target_income=30.0, grid_min_households=90, grid_max_households=110,
               service_radius_m=450.0)


def synthetic_dataset(folder: Path):
    """The synthetic layers written to ``folder`` and loaded like a real file."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.synthetic import make_layers, write_gpkg

    path = write_gpkg(make_layers(SYNTHETIC_VILLAGES, seed=SYNTHETIC_SEED),
                      folder / "synthetic.gpkg")
    return load_dataset(path)


def figures_of(dataset) -> dict:
    """Every case of one dataset: name → figures (a dict, or a list of dicts by area)."""
    out = {"city": compute_kpis(dataset)}
    prepared = prepare_kpis(dataset)
    out["county"] = kpis_by_area(dataset, "county", prepared=prepared)
    out["township"] = kpis_by_area(dataset, "township", prepared=prepared)
    other = prepare_kpis(dataset, OTHER)
    out["city_other_params"] = compute_kpis(dataset, OTHER, other)
    out["county_other_params"] = kpis_by_area(dataset, "county", OTHER)
    return out


def snapshot() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        return {"demo": figures_of(load_dataset(DEMO)),
                "synthetic": figures_of(synthetic_dataset(Path(tmp)))}


def differences(actual, expected, where: str = "", tolerance: float = 1e-9) -> list[str]:
    """Where two snapshots differ by more than ``tolerance`` (absolute), as readable lines."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) - NEWER_KEYS != set(expected):
            return [f"{where}: keys {sorted(actual) if isinstance(actual, dict) else actual!r}"
                    f" != {sorted(expected)}"]
        return [line for key in expected
                for line in differences(actual[key], expected[key], f"{where}/{key}", tolerance)]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: length differs"]
        return [line for i, (a, e) in enumerate(zip(actual, expected))
                for line in differences(a, e, f"{where}[{i}]", tolerance)]
    if isinstance(expected, float) and isinstance(actual, (int, float)) \
            and not isinstance(actual, bool):
        if math.isclose(actual, expected, rel_tol=0.0, abs_tol=tolerance):
            return []
        return [f"{where}: {actual!r} != {expected!r}"]
    return [] if actual == expected and type(actual) is type(expected) else \
        [f"{where}: {actual!r} != {expected!r}"]


if __name__ == "__main__":
    SNAPSHOT.parent.mkdir(exist_ok=True)
    SNAPSHOT.write_text(json.dumps(snapshot(), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
