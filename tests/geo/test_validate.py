"""Every schema rule of SPEC §2 on the tiny dataset of ``conftest.py``."""
import pandas as pd
import pytest
import shapely

from geo.dataset import load_dataset, read_dataset
from geo.problems import DatasetError


def codes(problems, severity=None):
    return sorted(p.code for p in problems if severity is None or p.severity == severity)


def test_tiny_dataset_is_valid_and_typed(layers, gpkg):
    """Booleans in three spellings, 行政村/社区 and a null rating all load."""
    data = load_dataset(gpkg(layers))
    v = data.villages
    assert v["kind"].tolist() == ["village", "village", "village", "community"]
    assert v["weak_org"].tolist() == [False, False, False, True]
    assert v["star_rating"].isna().tolist() == [False, False, True, False]
    assert str(v["households"].dtype) == "Int64"
    assert data.grids["party_branch"].tolist() == [True, False]
    assert data.warnings == ()
    assert data.has("grids") and data.villages.crs.to_epsg() == 4490


def test_only_villages_required(layers, gpkg):
    data = load_dataset(gpkg({"villages": layers["villages"]}))
    assert not data.has("grids") and len(data.grids) == 0
    assert list(data.joint_members.columns) == ["org_id", "village_code", "joined_year"]


def test_codes_stored_as_numbers_become_text(layers, gpkg):
    layers["villages"]["village_code"] = layers["villages"]["village_code"].astype("int64")
    data = load_dataset(gpkg(layers))
    assert data.villages["village_code"].iloc[0] == "350481101201"


@pytest.mark.parametrize("layer, field, row, value, code", [
    ("villages", "households", 0, -1, "out_of_range"),
    ("villages", "population", 1, "很多", "wrong_type"),
    ("villages", "star_rating", 2, 6, "out_of_range"),
    ("villages", "kind", 0, "乡", "bad_value"),
    ("villages", "weak_org", 1, "也许", "wrong_type"),
    ("villages", "name", 3, None, "empty_value"),
    ("village_income", "year", 0, "二〇一九", "wrong_type"),
    ("village_income", "collective_income", 1, "n/a", "wrong_type"),
    ("joint_orgs", "org_type", 0, "mixed", "bad_value"),
    ("grids", "level", 0, 5, "bad_value"),
    ("grids", "households", 1, 2.5, "wrong_type"),
    ("grids", "party_branch", 0, "maybe", "wrong_type"),
    ("service_sites", "site_type", 0, "hall", "bad_value"),
])
def test_bad_value_is_an_error_naming_layer_field_row(layers, gpkg, layer, field, row, value, code):
    frame = layers[layer]
    frame[field] = frame[field].astype(object)
    frame.loc[frame.index[row], field] = value
    _, problems = read_dataset(gpkg(layers))
    found = [p for p in problems if p.is_error]
    assert [(p.code, p.layer, p.field, p.row) for p in found] == [(code, layer, field, row + 1)]
    assert layer in str(found[0]) and field in str(found[0]) and f"第 {row + 1} 行" in str(found[0])


@pytest.mark.parametrize("layer, field", [
    ("villages", "village_code"), ("joint_orgs", "org_id"),
    ("grids", "grid_code"), ("village_income", "collective_income"),
])
def test_missing_required_field(layers, gpkg, layer, field):
    layers[layer] = layers[layer].drop(columns=[field])
    _, problems = read_dataset(gpkg(layers))
    assert ("missing_field", layer, field) in [(p.code, p.layer, p.field) for p in problems]


def test_duplicate_ids_name_every_row(layers, gpkg):
    layers["villages"].loc[1, "village_code"] = "350481101201"
    _, problems = read_dataset(gpkg(layers))
    dup = [p for p in problems if p.code == "duplicate_id"]
    assert [(p.row, p.row_id) for p in dup] == [(1, "350481101201"), (2, "350481101201")]
    assert all(p.is_error for p in dup)


def test_village_in_two_orgs(layers, gpkg):
    layers["joint_orgs"] = pd.concat([layers["joint_orgs"], pd.DataFrame({
        "org_id": ["O2"], "name": ["二联"], "org_type": ["industry"],
        "lead_village_code": ["350481101202"], "founded_year": [2021], "projects": [1]})])
    layers["joint_members"] = pd.concat([layers["joint_members"], pd.DataFrame({
        "org_id": ["O2", "O2"], "village_code": ["350481101202", "350481101203"],
        "joined_year": [2021, 2021]})])
    _, problems = read_dataset(gpkg(layers))
    two = [p for p in problems if p.code == "village_in_two_orgs"]
    assert [p.row for p in two] == [2, 3] and "O1、O2" in two[0].message


def test_member_references_are_errors(layers, gpkg):
    layers["joint_members"].loc[1, "village_code"] = "999"
    layers["joint_members"].loc[0, "org_id"] = "NOPE"
    _, problems = read_dataset(gpkg(layers))
    errs = [(p.code, p.field, p.row) for p in problems if p.is_error]
    assert ("unknown_reference", "org_id", 1) in errs
    assert ("unknown_reference", "village_code", 2) in errs


def test_warnings_only_keep_the_dataset(layers, gpkg):
    """Orphan grids, a one-member org, unknown income village, a missing year:
    accepted with warnings."""
    layers["grids"].loc[1, "parent_code"] = "G-missing"
    layers["joint_members"] = layers["joint_members"].iloc[:1]
    layers["village_income"].loc[5, "village_code"] = "350481101299"
    data = load_dataset(gpkg(layers))
    assert codes(data.warnings) == ["income_missing", "orphan_grid", "small_org",
                                    "unknown_reference"]
    orphan = next(p for p in data.warnings if p.code == "orphan_grid")
    assert ((orphan.layer, orphan.field, orphan.row, orphan.row_id)
            == ("grids", "parent_code", 2, "G4"))


def test_level3_parent_must_be_a_village_and_level4_parent_a_level3(layers, gpkg):
    layers["grids"].loc[1, "parent_code"] = "350481101201"   # level 4 pointing at a village
    data = load_dataset(gpkg(layers))
    assert codes(data.warnings) == ["orphan_grid"]


def test_lead_not_member_is_a_warning(layers, gpkg):
    layers["joint_orgs"].loc[0, "lead_village_code"] = "350481101203"
    data = load_dataset(gpkg(layers))
    assert codes(data.warnings) == ["lead_not_member"]


def test_missing_crs_is_an_error(layers, gpkg):
    layers["grids"] = layers["grids"].set_crs(None, allow_override=True)
    _, problems = read_dataset(gpkg(layers))
    assert [(p.code, p.layer) for p in problems if p.is_error] == [("missing_crs", "grids")]


def test_empty_and_wrong_geometry(layers, gpkg):
    v = layers["villages"]
    v.loc[0, "geometry"] = shapely.Polygon()
    v.loc[1, "geometry"] = shapely.Point(117, 26)
    _, problems = read_dataset(gpkg(layers))
    errs = [(p.code, p.row) for p in problems if p.is_error]
    assert ("empty_geometry", 1) in errs and ("wrong_geometry", 2) in errs


def test_invalid_polygon_is_repaired_with_a_warning(layers, gpkg):
    bow = shapely.Polygon([(117.0, 26.0), (117.01, 26.01), (117.01, 26.0), (117.0, 26.01)])
    v = layers["villages"]
    v.loc[3, "geometry"] = bow
    data = load_dataset(gpkg(layers))
    assert codes(data.warnings) == ["repaired_geometry"]
    assert data.villages.geometry.iloc[3].is_valid and data.villages.geometry.iloc[3].area > 0


def test_load_dataset_raises_with_all_problems(layers, gpkg):
    layers["villages"].loc[0, "households"] = -5
    layers["grids"].loc[0, "level"] = 7
    with pytest.raises(DatasetError, match="数据集有 2 个错误") as info:
        load_dataset(gpkg(layers))
    assert {p.layer for p in info.value.errors} == {"villages", "grids"}


def test_input_frames_are_not_changed(layers):
    from geo.validate import coerce_layer
    before = layers["villages"].copy()
    coerce_layer("villages", layers["villages"])
    pd.testing.assert_frame_equal(before, layers["villages"])
