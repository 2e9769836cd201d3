"""The partitioned engine gives the in-memory figures (issue 18).

The toy dataset of ``conftest.py`` (two counties: 甲县 C1 at y = 0–1 km,
乙县 C2 at y = 1–2 km) plus what crosses the county border:

* the service disc of S1 (0.3, 0.5) in v1 (C1) reaches into v4 (C2);
* the unit grid G5-2 (2.2–2.4 × 0.8–1.6 km) counts in v5 (C2, its parent G5)
  and covers 0.2 × 0.2 km of v3 (C1), overlapping G3-1 there;
* a road from S1 north to (0.3, 1.8) in v4: the unit of GX-1 (0.3, 1.3) in
  v4 is 300 m from the node (0.3, 1.0), 500 m along the road from S1
  (800 m ≤ 1,000 m): reached across the border;
* organisation O2 leads from v4 (C2) and has c1 (C1) as a member; the grid
  GY-1 lies outside every village (it counts in the whole-dataset figures only).

Each county is its own task (``batch_villages=1``), so everything that crosses
the border comes from the halo.  Most tests run the tasks in this process;
one module-scoped local cluster of one worker process runs the others.
"""
import shutil

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analysis.kpis import KPI_KEYS, compute_kpis, kpis_by_area
from analysis.params import Params
from analysis.partitioned import (dask_client, figure_table, partitioned_kpis,
                                  partitioned_kpis_by_area, prepare_partitioned)
from analysis.partitioning import export_partitioned
from geo import schema as s
from geo.dataset import load_dataset
from geo.partitioned import NO_AREA, read_manifest
from geo.problems import DatasetError
from tests.analysis.conftest import (C1_CODE, C2_CODE, V3, V4, V5, km_box, km_point,
                                     make_dataset, stored, toy_layers)

BORDER_GRID = "G5-2"


def crossing_layers() -> dict:
    layers = toy_layers()
    grids = layers[s.GRIDS]
    extra = stored([km_box(2.2, 0.8, 2.4, 1.6)], grid_code=[BORDER_GRID], name=[BORDER_GRID],
                   level=[4], parent_code=["G5"], households=[100], population=[300],
                   party_members=[5], party_branch=[False], manager=["何"])
    layers[s.GRIDS] = pd.concat([grids, extra], ignore_index=True)
    road = shapely.LineString([km_point(0.3, 0.5), km_point(0.3, 1.0), km_point(0.3, 1.8)])
    layers[s.ROADS] = stored([road], road_id=["R1"], name=["一四路"], road_class=["村道"])
    return layers


def damaged(folder, target, key: int, layer: str, column: str, code: str, value):
    """A copy of ``folder`` with one value of one partition file changed."""
    shutil.copytree(folder, target)
    path = target / read_manifest(target).partitions[key].file(layer)
    frame = gpd.read_parquet(path)
    frame.loc[frame[s.LAYERS[layer].id_field] == code, column] = value
    frame.to_parquet(path, index=False, write_covering_bbox=True)
    return target


@pytest.fixture(scope="module")
def crossing():
    return make_dataset(**crossing_layers())


@pytest.fixture(scope="module")
def folder(crossing, tmp_path_factory):
    root = tmp_path_factory.mktemp("partitioned") / "toy"
    export_partitioned(crossing, root)
    return root


@pytest.fixture(scope="module")
def client():
    with dask_client(workers=1) as started:
        yield started


def assert_same(expected: dict, got: dict):
    assert list(got) == list(expected)
    for key, value in expected.items():
        if value is None or isinstance(value, str):
            assert got[key] == value, key
        else:
            assert got[key] == pytest.approx(value, abs=1e-9, rel=1e-9), key


def assert_same_areas(expected: list, got: list):
    assert [(r["code"], r["name"]) for r in got] == [(r["code"], r["name"]) for r in expected]
    for a, b in zip(expected, got):
        assert_same(a, b)


def test_the_export_puts_each_row_where_its_figures_count(folder):
    manifest = read_manifest(folder)
    c1, c2, none = manifest.partitions
    assert [(p.key, p.province) for p in manifest.partitions] == \
        [(C1_CODE, "35"), (C2_CODE, "35"), (NO_AREA, NO_AREA)]
    assert (c1.rows[s.VILLAGES], c2.rows[s.VILLAGES]) == (4, 2)
    # G5-2 lies mostly in C2 and counts in v5; GY-1 (outside every village) is stored
    # with the nearest village, v5: C2 holds G5, G5-1, G5-2, GX, GX-1, GZ-1 and GY-1
    assert c2.rows[s.GRIDS] == 7 and c1.rows[s.GRIDS] == 11
    assert none.rows == {s.VILLAGE_INCOME: 1}          # the income of the unknown "999"
    assert manifest.rows(s.JOINT_MEMBERS) == 5 and manifest.rows(s.GRIDS) == 18


@pytest.mark.parametrize("params", [Params(), Params(as_of_year=2020),
                                    Params(walk_minutes=10, service_radius_m=1500)],
                         ids=["default", "as-of-2020", "radius-walk"])
def test_same_figures_overall_and_by_county_and_township(crossing, folder, params):
    inputs = prepare_partitioned(folder, params, batch_villages=1)
    assert_same(compute_kpis(crossing, params), partitioned_kpis(inputs, params))
    for by in ("county", "township"):
        assert_same_areas(kpis_by_area(crossing, by, params),
                          partitioned_kpis_by_area(inputs, by, params))


def test_the_border_cases_are_in_the_figures(crossing, folder):
    """The halo matters: without G5-2, S1's disc and the road the figures differ."""
    inputs = prepare_partitioned(folder, batch_villages=1)
    by_county = {r["code"]: r for r in partitioned_kpis_by_area(inputs, "county")}
    sums = inputs.sums
    assert sums.loc[V3, "grid.area_m2"] == pytest.approx(1e6, rel=1e-6)
    assert sums.loc[V3, "grid.overlap_m2"] == pytest.approx(0.2 * 0.2 * 1e6, rel=1e-6)
    assert sums.loc[V4, "walk.reached_population"] >= 150          # GX-1 (50 households)
    assert sums.loc[V4, "service.served_population"] > 0           # S1's disc
    assert sums.loc[V5, "grid.l4"] == 3                            # G5-1, GZ-1, G5-2
    assert by_county[C2_CODE]["joint_orgs"] == 1
    assert partitioned_kpis(inputs)["grid_l4"] == compute_kpis(crossing)["grid_l4"] == 12


def test_one_task_or_many_give_the_same_sums(folder):
    few, many = (prepare_partitioned(folder, batch_villages=n).sums for n in (100, 1))
    assert (few.index == "").sum() == 1 and (many.index == "").sum() == 2  # one per task
    numbers = [c for c in few.columns if c.startswith(("grid.", "service.", "walk."))]
    pd.testing.assert_frame_equal(few[numbers].groupby(level=0).sum(),
                                  many[numbers].groupby(level=0).sum(), rtol=1e-12)


def test_reading_the_folder_in_memory_gives_the_same_figures(crossing, folder):
    again = load_dataset(folder)
    assert {name: len(f) for name, f in again.layers.items()} == \
        {name: len(f) for name, f in crossing.layers.items()}
    assert_same(compute_kpis(crossing), compute_kpis(again))


def test_the_table_of_the_dashboard_has_every_level(crossing, folder):
    table = figure_table(prepare_partitioned(folder, batch_villages=1))
    assert table["level"].tolist() == ["national", "province", "county", "county"]
    county = table.set_index("code").loc[C1_CODE]
    assert county["name"] == "甲县" and county["province"] == "35"
    expected = {r["code"]: r for r in kpis_by_area(crossing, "county")}[C1_CODE]
    assert county["grid_area_coverage"] == pytest.approx(expected["grid_area_coverage"])
    nation, province = table.iloc[0], table.iloc[1]
    assert nation["grid_l4"] == 12 and province["grid_l4"] == 11  # GY-1 lies in no province
    same = [k for k in KPI_KEYS if not k.startswith(("grid_", "walk_"))]
    assert [province[k] for k in same] == pytest.approx([nation[k] for k in same], nan_ok=True)


def test_prepared_sums_refuse_other_distances(folder):
    inputs = prepare_partitioned(folder, batch_villages=1)
    with pytest.raises(ValueError, match="服务半径、步行分钟"):
        partitioned_kpis(inputs, Params(service_radius_m=500))
    with pytest.raises(ValueError, match="未知的分组方式"):
        partitioned_kpis_by_area(inputs, "village")


def test_a_bad_row_in_a_partition_names_layer_field_and_source_row(folder, tmp_path):
    bad = damaged(folder, tmp_path / "bad", 1, s.GRIDS, s.HOUSEHOLDS, BORDER_GRID, -1)
    with pytest.raises(DatasetError) as info:
        prepare_partitioned(bad, batch_villages=1)
    (problem,) = info.value.errors
    assert (problem.layer, problem.field, problem.row, problem.row_id) == \
        (s.GRIDS, s.HOUSEHOLDS, 18, BORDER_GRID)          # the 18th grid of the source


def test_a_local_cluster_of_worker_processes_gives_the_same_figures(crossing, folder, client):
    inputs = prepare_partitioned(folder, batch_villages=1, client=client, outlines=True)
    assert_same(compute_kpis(crossing), partitioned_kpis(inputs))
    assert_same_areas(kpis_by_area(crossing, "county"),
                      partitioned_kpis_by_area(inputs, "county"))
    assert sorted(inputs.outlines[s.COUNTY_CODE]) == [C1_CODE, C2_CODE]
    assert inputs.outlines.crs.to_epsg() == 4326


def test_problems_found_on_a_worker_reach_the_client(folder, tmp_path, client):
    bad = damaged(folder, tmp_path / "bad", 0, s.GRIDS, s.LEVEL, "G2-1", 7)
    with pytest.raises(DatasetError) as info:
        prepare_partitioned(bad, batch_villages=1, client=client)
    (problem,) = info.value.errors
    assert (problem.layer, problem.field, problem.row_id, problem.code) == \
        (s.GRIDS, s.LEVEL, "G2-1", "bad_value")
