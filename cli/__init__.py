"""``python -m analysis`` (SPEC §5): the commands and their text tables.

============ ============================================================
``evaluate`` ``python -m analysis evaluate DATA.gpkg SCENARIO.json [--json]`` (SPEC §4–5).
``ingest``   ``python -m analysis import FILE --layer NAME --into DATA.gpkg`` (SPEC §5).
``main``     Command line of SPEC §5: ``python -m analysis COMMAND …``.
============ ============================================================

``analysis/__main__.py`` hands over to :func:`cli.main.main`.  Imports ``report``, ``maps``, ``analysis``, ``geo`` and ``texts``; never ``ui`` or streamlit.
"""
