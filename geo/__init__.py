"""The data core: the schema of SPEC §2, reading and validating a dataset, CRS,
settings and the stores.

``access``
    Who may do what where (SPEC §7): roles, areas, and the one question every handler
    asks (:func:`geo.access.can`); the OpenID Connect claims mapping.
``accounts``
    Built-in accounts (SPEC §7) in ``FOLDER/accounts.sqlite``: Argon2 hashes, the
    login with its lock after 5 failures.
``atomic``
    Writing files so that a crash never leaves half of one: temporary file in the same
    folder, fsync, ``os.replace``, fsync of the folder.
``audit``
    The append-only audit log (SPEC §7), in the accounts database.
``clock``
    The one clock: now and today in China Standard Time.
``crs``
    Choosing a projected metric CRS for a dataset, and moving frames into it.
``db``
    The stores' databases: SQLite files of the data folder, or one PostgreSQL database
    (``[store] url``) shared by every app process, with one SQL for both.
``dataset``
    Reading a GeoPackage into one typed, validated :class:`Dataset`.
``integrity``
    Checks across layers: references, memberships, income completeness.
``partitioned``
    Partitioned datasets: the layers of SPEC §2 as GeoParquet files split by county (and
    province), with a manifest; read whole, by province, or partition by partition.
``pg_layers``
    GeoPackage layers ↔ PostGIS tables (columns, types and geometry kept).
``pg_store``
    Dataset versions in PostgreSQL/PostGIS (``[store] url``), with the contract of
    :mod:`geo.store`; each process reads a version through a cached GeoPackage.
``problems``
    Problems found in a dataset, and the error that carries them.
``scenario_rules``
    What a saved scenario may be and become: name, document shape, review statuses
    and steps.
``scenario_store``
    Saved scenarios (SPEC §4 JSON documents) in one embedded SQLite database.
``sequence_store``
    Briefing sequences (汇报序列): named, ordered lists of saved views in
    ``FOLDER/sequences.sqlite``.
``remembered``
    What an import remembers (column mappings, village-name picks): a file of the data
    folder or a row of the ``[store] url`` database.
``schema``
    The layer schema of SPEC §2, declared as data.
``sessions``
    Sessions of built-in accounts: a login that outlives a reload, until idle or logout.
``settings``
    Deployment settings (``dashboard.toml``) and which dataset to show.
``sqlite_db``
    The embedded SQLite databases of the data folder: one way to open them, one
    transaction, Chinese errors naming the file.
``store``
    Dataset versions: the data store in the configured data folder (SPEC §6).
``store_migrate``
    Copying the whole store between a data folder and PostgreSQL, counts checked.
``validate``
    Validation of a dataset against the schema of :mod:`geo.schema`.
``ingest``
    The upload pipeline (a subpackage).

Imports nothing of ours (the bottom layer); never streamlit, folium, pydeck or
matplotlib.  Uploads live in the subpackage :mod:`geo.ingest`.
"""
