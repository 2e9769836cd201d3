"""Every UI string a page or a geo/ module asks for exists in the text modules
(a missing one is an AttributeError only on the code path that shows it)."""
import ast
import re

import pytest

from tests.conftest import ROOT
import texts
from texts import data as texts_data, planning as texts_planning, walk as texts_walk
from texts import slides as texts_slides

MODULES = {"texts": texts, "tp": texts_planning, "td": texts_data, "tw": texts_walk,
           "tsl": texts_slides}
USE = re.compile(r"\b(texts|tp|td|tw|tsl)\.([A-Z][A-Z0-9_]*)\b")
FILES = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("geo/**/*.py"), *ROOT.glob("ui/*.py"),
                *ROOT.glob("maps/*.py"), *ROOT.glob("report/*.py"), *ROOT.glob("cli/*.py"),
                ROOT / "dashboard.py"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_text_used_is_defined(path):
    used = USE.findall(path.read_text(encoding="utf-8"))
    missing = sorted({f"{mod}.{name}" for mod, name in used
                      if not hasattr(MODULES[mod], name)})
    assert missing == []


def test_the_check_finds_a_missing_text():
    assert USE.findall("st.info(tp.NO_SUCH_TEXT)") == [("tp", "NO_SUCH_TEXT")]
    assert not hasattr(texts_planning, "NO_SUCH_TEXT")


# ---- Streamlit's English defaults (issue 11) ----------------------------------
# Every input widget shows a Chinese placeholder of its own (else Streamlit shows
# "Choose an option", "Choose options", "No options to select"); a text field
# outside a form is live (else it says "Press Enter to apply" while typed into);
# a multiselect offers no English "Select all".
WIDGETS = {"selectbox", "multiselect", "text_input", "text_area", "number_input"}


def _constant(node, default=None):
    return node.value if isinstance(node, ast.Constant) else default


def _is_form(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and node.func.attr == "form"


def widget_problems(source: str) -> list[tuple[int, str, str]]:
    """``(line, widget key, what)`` of each input widget call in ``source``
    that would show one of Streamlit's English defaults; ``what`` is
    ``placeholder``, ``live`` or ``select_all``."""
    problems = []

    def visit(node, in_form: bool) -> None:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            in_form = in_form or any(_is_form(item.context_expr) for item in node.items)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in WIDGETS:
            kind, given = node.func.attr, {k.arg: k.value for k in node.keywords if k.arg}
            key = given.get("key")
            key = _constant(key, ast.unparse(key)) if key is not None else "?"
            placeholder = given.get("placeholder")
            if placeholder is None or _constant(placeholder, "a text") in (None, ""):
                problems.append((node.lineno, key, "placeholder"))
            if kind == "text_input" and not in_form \
                    and _constant(given.get("live"), False) in (False, None, ""):
                problems.append((node.lineno, key, "live"))
            if kind == "multiselect" and _constant(given.get("select_all"), True) is not False:
                problems.append((node.lineno, key, "select_all"))
        for child in ast.iter_child_nodes(node):
            visit(child, in_form)

    visit(ast.parse(source), False)
    return problems


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_input_widgets_show_no_english_defaults(path):
    assert widget_problems(path.read_text(encoding="utf-8")) == []


def test_the_widget_check_finds_english_defaults():
    snippet = """
st.selectbox("县", options, key="a")
left.multiselect("图", maps, key="b", placeholder="选择地图")
st.text_input("名称", key="c", placeholder="输入名称")
st.number_input("村数", 1, 30, key="d", placeholder=None)
st.text_input("名称", key="e", placeholder="输入名称", live=True)
st.multiselect("图", maps, key="f", placeholder="选择地图", select_all=False)
with st.form("f"):
    st.text_input("名称", key="g", placeholder="输入名称")
"""
    assert widget_problems(snippet) == [(2, "a", "placeholder"), (3, "b", "select_all"),
                                        (4, "c", "live"), (5, "d", "placeholder")]
