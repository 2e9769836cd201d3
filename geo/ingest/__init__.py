"""Uploads: a file becomes a layer of SPEC §2, checked, then part of a dataset.

``base``
    The dataset an import merges into, valid or not, and what the import does to its errors.
``columns``
    Mapping the columns of an upload to the canonical fields of SPEC §2.
``coords``
    Coordinate systems of uploads: the CRS choices offered, sanity checks, web-map offsets.
``encoding``
    Text encodings of uploaded Shapefiles and CSV files, and refusing mojibake.
``formats``
    Recognising an uploaded file by its content and reading it with an allowlisted reader.
``plan``
    Putting an uploaded layer into a dataset: plan, report, atomic write, versions.
``read``
    Reading one uploaded file as one layer of SPEC §2 — the entry point of importing.
``safe_zip``
    Checking and extracting uploaded zip archives without trusting them.
``templates``
    Downloadable import templates and the one-page import guide (SPEC §2).

The flow: :func:`geo.ingest.read.read_upload` → :func:`geo.ingest.plan.plan_import`
→ :func:`geo.ingest.plan.write_dataset_gpkg`.  Imports only ``geo``.
"""
