"""Every UI string a page or a geo/ module asks for exists in the text modules
(a missing one is an AttributeError only on the code path that shows it)."""
import re

import pytest

from geo import texts, texts_data, texts_planning
from tests.conftest import ROOT

MODULES = {"texts": texts, "tp": texts_planning, "td": texts_data}
USE = re.compile(r"\b(texts|tp|td)\.([A-Z][A-Z0-9_]*)\b")
FILES = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("geo/*.py"), ROOT / "dashboard.py"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_text_used_is_defined(path):
    used = USE.findall(path.read_text(encoding="utf-8"))
    missing = sorted({f"{mod}.{name}" for mod, name in used
                      if not hasattr(MODULES[mod], name)})
    assert missing == []


def test_the_check_finds_a_missing_text():
    assert USE.findall("st.info(tp.NO_SUCH_TEXT)") == [("tp", "NO_SUCH_TEXT")]
    assert not hasattr(texts_planning, "NO_SUCH_TEXT")
