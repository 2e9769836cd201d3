"""GeoPackage layers ↔ PostGIS tables, for the dataset versions of :mod:`geo.pg_store`.

A layer is read from a GeoPackage as an Arrow table (:func:`read_layers`, GDAL through
pyogrio: integer columns with nulls, booleans and dates keep their types) and becomes
one real table of the version's schema (:func:`copy_layer`): a ``fid`` primary key
(the row order), the GeoPackage's columns with PostgreSQL types (:func:`pg_type`) and
the geometry as ``geometry(Geometry, SRID)`` with a GiST index.  The Arrow schema is
kept beside it, so that :func:`write_geopackage` writes the same columns with the
same types, the rows in the same order, the same geometry and CRS.

A table's digest (:func:`table_content`) is computed by the server: SHA-256 over
the SHA-256 of each row's text in ``fid`` order, under :data:`STABLE_TEXT`.

>>> schema_name("v0012"), pg_type(pa.int64()), pg_type(pa.timestamp("ms", tz="UTC"))
('ds_v0012', 'BIGINT', 'TIMESTAMPTZ')
>>> pg_type(pa.list_(pa.int32()))
Traceback (most recent call last):
...
geo.store.StoreError: 列类型 list<item: int32> 无法存入 PostgreSQL
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyarrow as pa
import pyogrio
import shapely
from psycopg import sql

from geo import schema as s
from geo.store import StoreError

# Session settings under which a row's text (and so the digest) is always the same;
# each statement is run inside the transaction that computes a digest.
STABLE_TEXT = ("SET LOCAL extra_float_digits = 1", "SET LOCAL DateStyle = 'ISO, YMD'",
               "SET LOCAL TimeZone = 'UTC'", "SET LOCAL bytea_output = 'hex'",
               "SET LOCAL IntervalStyle = 'postgres'")
_PG_TYPES = ((pa.types.is_boolean, "BOOLEAN"), (pa.types.is_int8, "SMALLINT"),
             (pa.types.is_int16, "SMALLINT"), (pa.types.is_uint8, "SMALLINT"),
             (pa.types.is_int32, "INTEGER"), (pa.types.is_uint16, "INTEGER"),
             (pa.types.is_int64, "BIGINT"), (pa.types.is_uint32, "BIGINT"),
             (pa.types.is_float16, "REAL"), (pa.types.is_float32, "REAL"),
             (pa.types.is_float64, "DOUBLE PRECISION"), (pa.types.is_string, "TEXT"),
             (pa.types.is_large_string, "TEXT"), (pa.types.is_binary, "BYTEA"),
             (pa.types.is_large_binary, "BYTEA"), (pa.types.is_date, "DATE"),
             (pa.types.is_time, "TIME"))
_NAME_BYTES = 63  # PostgreSQL's longest identifier


def schema_name(version_id: str) -> str:
    """The PostgreSQL schema that holds a version's tables."""
    return f"ds_{version_id}"


def pg_type(arrow_type: pa.DataType) -> str:
    """The PostgreSQL column type of an Arrow (GeoPackage) column; refuses others."""
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP"
    for test, name in _PG_TYPES:
        if test(arrow_type):
            return name
    raise StoreError(f"列类型 {arrow_type} 无法存入 PostgreSQL")


@dataclass(frozen=True)
class Layer:
    """One SPEC §2 layer as read from a GeoPackage: ``geometry`` is its geometry column
    (``None`` for a table), ``geometry_type`` and ``crs`` as GDAL reports them."""

    name: str
    table: pa.Table
    geometry: str | None
    geometry_type: str | None
    crs: str | None
    fid: str = "fid"


def read_layers(path) -> list[Layer]:
    """The SPEC §2 layers of a GeoPackage as Arrow tables (other layers are not read);
    refuses a file without any of them and column names PostgreSQL cannot hold."""
    try:
        listed = {str(name) for name, _ in pyogrio.list_layers(path)}
        layers = []
        for name in (n for n in s.LAYERS if n in listed):
            meta, table = pyogrio.read_arrow(path, layer=name)
            table = _naive_times(meta, table)
            geometry = next((f.name for f in table.schema
                             if b"ARROW:extension:name" in (f.metadata or {})), None)
            layers.append(Layer(name, table, geometry, meta["geometry_type"],
                                meta["crs"] if geometry else None, meta["fid_column"] or "fid"))
    except Exception as exc:  # GDAL's own errors; one line for the user
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StoreError(f"GeoPackage 无法读取（文件可能已损坏）：{first}") from None
    if not layers:
        raise StoreError("GeoPackage 中没有 SPEC §2 的任何图层（villages 等），无法导入")
    for layer in layers:
        for name in layer.table.column_names:
            if len(name.encode()) > _NAME_BYTES or name == layer.fid:
                raise StoreError(f"图层 {layer.name} 的列名 {name!r} 无法用作 PostgreSQL 列名")
    return layers


def _naive_times(meta: dict, table: pa.Table) -> pa.Table:
    """Date-times without a time zone as such: GDAL's Arrow output labels them UTC."""
    naive = {str(f) for f, d in zip(meta["fields"], meta["dtypes"])
             if str(d).startswith("datetime64") and "," not in str(d)}
    for i, f in enumerate(table.schema):
        if f.name in naive and pa.types.is_timestamp(f.type) and f.type.tz:
            kind = pa.timestamp(f.type.unit)
            table = table.set_column(i, pa.field(f.name, kind, metadata=f.metadata),
                                     table.column(i).cast(kind))
    return table


def file_digest(path) -> tuple[int, str]:
    """Size (bytes) and SHA-256 (hex) of a file."""
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256")
        return fh.tell(), digest.hexdigest()


def srid_of(raw, crs) -> int:
    """The EPSG code of ``crs`` when PostGIS knows it, else 0 (the CRS itself is kept
    beside the table and written back)."""
    if not crs:
        return 0
    try:
        import pyproj

        code = pyproj.CRS.from_user_input(crs).to_epsg()
    except Exception:  # pyproj.exceptions.CRSError and the like: an unusual definition
        return 0
    if code is None:
        return 0
    known = raw.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", (code,)).fetchone()
    return code if known else 0


def _table(schema: str, layer: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(layer))


def copy_layer(raw, schema: str, layer: Layer, srid: int) -> None:
    """``CREATE TABLE`` with the layer's columns (geometry in ``srid``) and ``COPY`` its
    rows, numbered from 1 in the file's order."""
    table = layer.table
    columns = [sql.SQL("{} BIGINT PRIMARY KEY").format(sql.Identifier(layer.fid))]
    for f in table.schema:
        kind = (sql.SQL("geometry(Geometry, {})").format(sql.Literal(srid))
                if f.name == layer.geometry else sql.SQL(pg_type(f.type)))
        columns.append(sql.SQL("{} {}").format(sql.Identifier(f.name), kind))
    target = _table(schema, layer.name)
    raw.execute(sql.SQL("CREATE TABLE {} ({})").format(target, sql.SQL(", ").join(columns)))
    values = []
    for f in table.schema:
        column = table.column(f.name)
        if f.name == layer.geometry:  # hex EWKB: COPY's text input of a geometry
            shapes = shapely.from_wkb(column.to_numpy(zero_copy_only=False))
            values.append(shapely.to_wkb(shapely.set_srid(shapes, srid), hex=True,
                                         include_srid=True).tolist())
        else:
            values.append(column.to_pylist())
    names = sql.SQL(", ").join(sql.Identifier(n) for n in (layer.fid, *table.column_names))
    with raw.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, names)) as copy:
        for row in zip(range(1, table.num_rows + 1), *values):
            copy.write_row(row)
    if layer.geometry:
        raw.execute(sql.SQL("CREATE INDEX ON {} USING GIST ({})").format(
            target, sql.Identifier(layer.geometry)))


def table_exists(raw, schema: str, layer: str) -> bool:
    """Whether ``schema.layer`` is a table of the database."""
    return raw.execute("SELECT to_regclass(%s) IS NOT NULL",
                       (f'"{schema}"."{layer}"',)).fetchone()[0]


def table_content(raw, schema: str, layer: str, fid: str) -> tuple[int, str]:
    """Rows and digest of a table (the caller has run :data:`STABLE_TEXT` in its
    transaction)."""
    return tuple(raw.execute(sql.SQL(
        "SELECT count(*), encode(sha256(coalesce(string_agg(sha256(convert_to(t::text, "
        "'UTF8')), ''::bytea ORDER BY t.{}), ''::bytea)), 'hex') FROM {} AS t").format(
            sql.Identifier(fid), _table(schema, layer))).fetchone())


def write_geopackage(raw, schema: str, layers, target) -> None:
    """Write tables of ``schema`` as the GeoPackage ``target``.  ``layers``: rows of
    (layer, fid column, geometry column, geometry type, CRS, serialised Arrow schema)."""
    for name, fid, geometry, geometry_type, crs, blob in layers:
        arrow_schema = pa.ipc.read_schema(pa.py_buffer(blob))
        columns = [sql.SQL("ST_AsBinary({})").format(sql.Identifier(f.name))
                   if f.name == geometry else sql.Identifier(f.name) for f in arrow_schema]
        rows = raw.execute(sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
            sql.SQL(", ").join(columns), _table(schema, name),
            sql.Identifier(fid))).fetchall()
        values = list(zip(*rows)) if rows else [()] * len(arrow_schema)
        table = pa.Table.from_arrays(
            [pa.array(list(v), type=f.type) for v, f in zip(values, arrow_schema)],
            schema=arrow_schema)
        extra = dict(geometry_name=geometry, geometry_type=geometry_type, crs=crs) \
            if geometry else {}
        pyogrio.write_arrow(table, target, layer=name, driver="GPKG", **extra)
