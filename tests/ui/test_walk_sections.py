"""The exported 选址建议 (CSV and XLSX): coordinates in CGCS2000 (EPSG:4490), the
candidate's village, Chinese headers; the same rows the map draws."""
import io

import geopandas as gpd
import pandas as pd
import shapely

from analysis.site_suggest import reach_table, suggest_sites
from report.exports import table_to_csv, table_to_xlsx
from texts import walk as tw
from ui.walk_sections import EXPORT, suggestion_rows

CRS = "EPSG:32650"
X0, Y0 = 500_000.0, 2_900_000.0       # 117°E, about 26.2°N


def test_exported_rows_are_in_cgcs2000_with_the_village_name():
    villages = gpd.GeoDataFrame(
        {"village_code": ["v1", "v2"], "name": ["西村", "东村"], "township": ["甲镇", "甲镇"],
         "county": ["乙县", "乙县"], "population": [10, 40]}, crs=CRS,
        geometry=[shapely.box(X0 - 100, Y0 - 100, X0 + 100, Y0 + 100),
                  shapely.box(X0 + 2900, Y0 - 100, X0 + 3100, Y0 + 100)])
    roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(X0, Y0), (X0 + 3000, Y0)])], crs=CRS)
    sites = gpd.GeoDataFrame(geometry=[shapely.Point(X0, Y0)], crs=CRS)
    table = reach_table(villages, sites, roads)
    best = suggest_sites(table, 1)
    rows = suggestion_rows(best.sites, table.crs, 15)
    expected = gpd.GeoSeries([shapely.Point(X0 + 3000, Y0)], crs=CRS).to_crs("EPSG:4490")
    assert rows[0]["name"] == "东村" and rows[0]["kind"] == "村（社区）中心"
    assert (rows[0]["lon"], rows[0]["lat"]) == (round(expected.x[0], 6), round(expected.y[0], 6))
    assert rows[0]["label"] == "建议点1：东村（村（社区）中心）" and rows[0]["new_population"] == 40
    frame = pd.DataFrame(rows)[list(EXPORT)]
    csv = pd.read_csv(io.BytesIO(table_to_csv(frame, tw.COLUMNS)), encoding="utf-8-sig")
    assert list(csv.columns) == [tw.COLUMNS[c] for c in EXPORT]
    assert csv["经度（CGCS2000）"].tolist() == [rows[0]["lon"]]
    assert csv["所在村（社区）"].tolist() == ["东村"] and csv["县（市、区）"].tolist() == ["乙县"]
    xlsx = pd.read_excel(io.BytesIO(table_to_xlsx(frame, tw.COLUMNS, tw.SHEET)),
                         sheet_name=tw.SHEET)
    assert xlsx.equals(csv)
