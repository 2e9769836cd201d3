"""Uploads: a file becomes a layer of SPEC §2, checked, then part of a dataset.

``attributes``
    Village boundaries from one file and their attributes from another, as one ``villages`` layer.
``base``
    The dataset an import merges into, valid or not, and what the import does to its errors.
``by_name``
    Rows that name their village by township and name: codes filled, the user's picks.
``columns``
    Mapping the columns of an upload to the canonical fields of SPEC §2 (units, year headers).
``coords``
    Coordinate systems of uploads: the CRS choices offered, sanity checks, web-map offsets.
``encoding``
    Text encodings of uploaded Shapefiles and CSV files, and refusing mojibake.
``formats``
    Recognising an uploaded file by its content and reading it with an allowlisted reader.
``names``
    Villages named by township and name, as people write them: keys, the index, candidates.
``numbers``
    Numbers and years as people write them: separators, full-width digits, units.
``plan``
    Putting an uploaded layer into a dataset: plan, report, atomic write, versions.
``read``
    Reading one uploaded file as one layer of SPEC §2 — the entry point of importing.
``safe_zip``
    Checking and extracting uploaded zip archives without trusting them.
``templates``
    Downloadable import templates and the one-page import guide (SPEC §2).
``wide``
    A wide sheet — one row per village, one column per year — as the long layer of SPEC §2.

The flow: :func:`geo.ingest.read.read_upload` (or, for boundaries + attributes,
:func:`geo.ingest.attributes.read_with_attributes`) → :func:`geo.ingest.plan.plan_import`
→ :func:`geo.ingest.plan.write_dataset_gpkg`.  Imports only ``geo``.
"""
