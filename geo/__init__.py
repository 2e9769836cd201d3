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
``dataset``
    Reading a GeoPackage into one typed, validated :class:`Dataset`.
``integrity``
    Checks across layers: references, memberships, income completeness.
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
``validate``
    Validation of a dataset against the schema of :mod:`geo.schema`.
``ingest``
    The upload pipeline (a subpackage).

Imports nothing of ours (the bottom layer); never streamlit, folium, pydeck or
matplotlib.  Uploads live in the subpackage :mod:`geo.ingest`.
"""
