"""A writer of the PostGIS data store for the kill tests, started as a subprocess
and killed with SIGKILL (the PostgreSQL twin of ``store_killer.py``).

Usage (from the repository root)::

    python tests/geo/pg_store_killer.py URL add GPKG [NOTE]
    python tests/geo/pg_store_killer.py URL switch VERSION_ID
    python tests/geo/pg_store_killer.py URL delete VERSION_ID

With ``DASHBOARD_STORE_PAUSE=<step>`` the store writes ``PAUSED <step>`` to stderr
at that step (inside its transaction) and sleeps, so that the test kills it there.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from geo.pg_store import PgDataStore  # noqa: E402


def main(argv: list[str]) -> int:
    url, action, *rest = argv
    store = PgDataStore(url)
    if action == "add":
        store.add_version(rest[0], rest[1] if len(rest) > 1 else "", Path(rest[0]).name)
    elif action == "switch":
        store.switch(rest[0])
    elif action == "delete":
        store.delete(rest[0])
    else:
        raise SystemExit(f"unknown action {action!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
