"""``python -m analysis`` (SPEC §5): the commands and their text tables.

``common``
    What every command shares: exit codes, a Chinese argparse, loading a dataset or printing
    why not.
``evaluate``
    ``python -m analysis evaluate DATA.gpkg SCENARIO.json [--json]`` (SPEC §4–5).
``ingest``
    ``python -m analysis import FILE --layer NAME --into DATA.gpkg`` (SPEC §5).
``main``
    Command line of SPEC §5: ``python -m analysis COMMAND …``.
``partitioned``
    Partitioned national datasets: ``export-parquet DATA.gpkg DIR`` and ``kpis DIR --workers N``
    (issue 18).
``slides``
    ``python -m analysis report … --pptx [--sequence NAME]``: the slides beside the report.
``store``
    ``python -m analysis store migrate --from LOCATION --to LOCATION``: the whole store
    between a data folder and PostgreSQL, with counts checked (issue 17).
``users``
    ``python -m analysis users add|passwd|update|list|remove`` and ``audit`` (SPEC §7).
``tables``
    Text tables for the terminal: figures with labels and units, column widths that count a
    Chinese character as two.

``analysis/__main__.py`` hands over to :func:`cli.main.main`.  Imports ``report``,
``maps``, ``analysis``, ``geo`` and ``texts``; never ``ui`` or streamlit.
"""
