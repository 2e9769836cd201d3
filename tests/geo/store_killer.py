"""A writer for the kill tests, started as a subprocess and killed with SIGKILL.

Usage (from the repository root)::

    python tests/geo/store_killer.py FOLDER add GPKG [NOTE]
    python tests/geo/store_killer.py FOLDER switch VERSION_ID
    python tests/geo/store_killer.py FOLDER delete VERSION_ID
    python tests/geo/store_killer.py FOLDER scenarios COUNT [PADDING]

With ``DASHBOARD_STORE_PAUSE=<step>`` the store writes ``PAUSED <step>`` to
stderr at that step and sleeps, so that the test kills it exactly there.
``scenarios`` saves COUNT scenarios (``方案 0000`` …) one after another and
prints each name on stdout once its transaction is committed; PADDING adds a
``note`` of that many characters to each document (a large one makes SQLite
write pages into the database file before the commit).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from geo.scenario_store import ScenarioStore  # noqa: E402
from geo.store import DataStore  # noqa: E402


def scenario_document(number: int) -> dict:
    """A SPEC §4 document with ``number % 7 + 1`` groups of three villages."""
    groups = [{"org_id": f"S{g}", "name": f"第{g}联村党委", "org_type": "strong_weak",
               "lead_village_code": f"3504811{number:03d}{g:02d}1",
               "villages": [f"3504811{number:03d}{g:02d}{k}" for k in range(1, 4)]}
              for g in range(number % 7 + 1)]
    return {"created": "2026-11-23T10:00:00+08:00", "groups": groups}


def main(argv: list[str]) -> int:
    folder, action, *rest = argv
    if action == "add":
        DataStore(folder).add_version(rest[0], rest[1] if len(rest) > 1 else "", Path(rest[0]).name)
    elif action == "switch":
        DataStore(folder).switch(rest[0])
    elif action == "delete":
        DataStore(folder).delete(rest[0])
    elif action == "scenarios":
        store = ScenarioStore(folder)
        padding = "备" * int(rest[1]) if len(rest) > 1 else ""
        for number in range(int(rest[0])):
            name = f"方案 {number:04d}"
            store.save(name, {**scenario_document(number), "note": padding})
            sys.stdout.write(name + "\n")
            sys.stdout.flush()
    else:
        raise SystemExit(f"unknown action {action!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
