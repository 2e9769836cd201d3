"""The cached display layers agree with the print maps and the figures."""
import geopandas as gpd
import pandas as pd
import shapely

from analysis.params import Params
from geo.dataset import load_dataset
from maps.static import map_layers
from tests.geo.conftest import METRIC, X0, Y0, tiny_layers, write_gpkg
from ui import cached

OTHER_COUNTY, OTHER_TOWNSHIP = "350402", "350402101"


def _orphan_dataset(tmp_path):
    """tiny_layers with 三村 (the third square) in another county, and an orphan
    unit grid X9 (parent 'nope') lying inside 三村."""
    layers = tiny_layers()
    v = layers["villages"]
    third = (v["village_code"] == "350481101203").to_numpy()
    v.loc[third, ["county_code", "county", "township_code", "township"]] = [
        OTHER_COUNTY, "梅列区", OTHER_TOWNSHIP, "列东街道"]
    orphan = gpd.GeoDataFrame({
        "grid_code": ["X9"], "name": ["无上级网格"], "level": [4], "parent_code": ["nope"],
        "households": [90], "population": [270], "party_members": [5], "party_branch": [0],
        "manager": ["王"]}, geometry=[shapely.box(X0 + 2200, Y0 + 200, X0 + 2600, Y0 + 600)],
        crs=METRIC).to_crs(layers["grids"].crs)
    layers["grids"] = pd.concat([layers["grids"], orphan], ignore_index=True)
    return write_gpkg(tmp_path / "orphan.gpkg", layers)


def test_an_orphan_grid_is_shown_where_it_lies_on_screen_and_on_paper(tmp_path):
    """Before: the screen placed unit grids by parent only (X9 in no area), the
    print map by parent, then by containment (X9 in 梅列区)."""
    path = _orphan_dataset(tmp_path)
    src = cached.Source(str(path), path.stat().st_mtime, False)
    screen = cached.unit_grids(src).set_index("grid_code")
    assert screen.loc["X9", ["county_code", "township_code", "village_code"]].tolist() == [
        OTHER_COUNTY, OTHER_TOWNSHIP, "350481101203"]
    assert screen.loc["G4", ["county_code", "township_code"]].tolist() == ["350481", "350481101"]
    dataset = load_dataset(path)
    paper = {county: len(map_layers(dataset, Params(), county).grids)
             for county in ("350481", OTHER_COUNTY)}
    assert paper == {"350481": 1, OTHER_COUNTY: 1}   # the unit grids: G4 there, X9 here
    assert screen.groupby("county_code").size().to_dict() == paper
