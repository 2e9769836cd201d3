"""Shared test set-up: the repository root on sys.path, the demo's path."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO = ROOT / "data" / "demo" / "sanming.gpkg"
