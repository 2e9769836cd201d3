"""The import rules of ../shared/ARCHITECTURE.md §3.2, checked from the source
with ``ast`` (no new dependency): which of our packages each package may
import, who may import streamlit, folium and pydeck, and no import cycle
between modules."""
import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

OURS = ("geo", "analysis", "maps", "report", "ui", "cli", "texts", "pages", "dashboard",
        "data", "tests", "benchmarks")
# package → the packages of ours it may import (itself always allowed)
ALLOWED = {
    "texts": set(),
    "geo": set(),
    "analysis": {"geo"},
    "maps": {"analysis", "geo", "texts"},
    "report": {"maps", "analysis", "geo", "texts"},
    "ui": {"report", "maps", "analysis", "geo", "texts"},
    "cli": {"report", "maps", "analysis", "geo", "texts"},
    "pages": {"ui", "maps", "analysis", "geo", "texts"},
    "dashboard": {"ui", "maps", "analysis", "geo", "texts"},
    "data": {"geo"},
}
# third-party packages only some of ours may import
RESTRICTED = {"streamlit": {"ui", "pages", "dashboard"},
              "streamlit_folium": {"ui", "pages"},
              "folium": {"maps", "ui"}, "pydeck": {"maps", "ui"},
              "matplotlib": {"maps"}, "altair": {"ui"}}
# analysis/__main__.py is SPEC §5's entry point: it only hands over to the CLI
EXEMPT = {("analysis.__main__", "cli")}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str) -> set[str]:
    """Every module named by an import statement (anywhere in the file)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = module.split(".")[:-node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}
    return found


def violations(module: str, imported: set[str]) -> list[str]:
    """The rules ``module`` breaks by importing ``imported``."""
    package = module.split(".")[0]
    out = []
    for name in sorted(imported):
        top = name.split(".")[0]
        if top in OURS and package in ALLOWED and top != package \
                and top not in ALLOWED[package] and (module, top) not in EXEMPT:
            out.append(f"{module} imports {name}: {package}/ may import only "
                       f"{sorted(ALLOWED[package]) or 'nothing of ours'}")
        if top in RESTRICTED and package not in RESTRICTED[top] and package in ALLOWED:
            out.append(f"{module} imports {name}: only {sorted(RESTRICTED[top])} may")
    return out


def project_modules(root: Path = ROOT) -> dict[str, set[str]]:
    files = [root / "dashboard.py", *root.glob("pages/*.py")]
    for package in ("geo", "analysis", "maps", "report", "ui", "cli", "texts", "data"):
        files += [p for p in (root / package).rglob("*.py")]
    return {module_name(p, root): imports_of(p.read_text(encoding="utf-8"), module_name(p, root))
            for p in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))
    for v in graph:
        if v not in index:
            visit(v)
    return out


def module_graph(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    """Module → the project modules it imports (``from pkg import mod`` counts as pkg.mod)."""
    return {m: {name for name in imported if name in modules and name != m}
            for m, imported in modules.items()}


def package_counts(modules: dict[str, set[str]]) -> dict[tuple[str, str], int]:
    """(importing package, imported package) → number of module-to-module imports
    between our packages (``pages`` and ``dashboard`` count as packages)."""
    counts: dict[tuple[str, str], int] = {}
    graph = module_graph(modules)
    for module, targets in graph.items():
        for target in targets:
            pair = (module.split(".")[0], target.split(".")[0])
            if pair[0] != pair[1] and (module, pair[1]) not in EXEMPT:
                counts[pair] = counts.get(pair, 0) + 1
    return counts


def counts_table(counts: dict[tuple[str, str], int]) -> str:
    """The counts as lines ``importer → imported: n``, most first."""
    return "\n".join(f"{a:>9} → {b:<9} {n:4d}" for (a, b), n in
                     sorted(counts.items(), key=lambda item: (-item[1], item[0])))


MODULES = project_modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_keeps_to_its_layer(module):
    assert violations(module, MODULES[module]) == []


def test_no_two_packages_import_each_other(capsys):
    """Prints the package-to-package import counts (``pytest -s tests/test_layers.py``)."""
    counts = package_counts(MODULES)
    with capsys.disabled():
        print("\npackage-to-package imports (modules):\n" + counts_table(counts))
    mutual = sorted((a, b) for a, b in counts if (b, a) in counts and a < b)
    assert mutual == []


def test_no_import_cycle_between_modules():
    assert cycles(module_graph(MODULES)) == []


def test_the_checks_can_fail():
    """A forbidden import, a forbidden library and a cycle are all caught."""
    snippet = "from ui.cached import dataset\nimport streamlit as st\nfrom maps import deck\n"
    found = violations("geo.schema", imports_of(snippet, "geo.schema"))
    assert any("geo/ may import only nothing of ours" in v for v in found)
    assert any("imports streamlit: only" in v for v in found)
    assert any("imports maps" in v for v in found)
    assert violations("analysis.kpis", imports_of("import folium\n", "analysis.kpis"))
    assert violations("analysis.__main__", {"cli.main"}) == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles(module_graph({"a": {"b"}, "b": set()})) == []
    assert package_counts({"geo.x": {"analysis.y"}, "analysis.y": {"geo.x"}}) == {
        ("geo", "analysis"): 1, ("analysis", "geo"): 1}


def test_the_report_command_loads_no_web_map_or_ui_library(tmp_path):
    """``python -m analysis report`` draws print maps with matplotlib only."""
    import subprocess
    import sys

    code = ("import runpy, sys\n"
            f"sys.argv = ['analysis', 'report', {str(ROOT / 'data/demo/sanming.gpkg')!r}, "
            f"'--out', {str(tmp_path)!r}, '--county', '350481']\n"
            "try:\n    runpy.run_module('analysis', run_name='__main__')\n"
            "except SystemExit as exit_:\n    assert exit_.code == 0, exit_.code\n"
            "print(sorted(m for m in ('streamlit', 'folium', 'pydeck', 'altair', 'branca',"
            " 'streamlit_folium') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert any(p.suffix == ".docx" for p in tmp_path.iterdir())


if __name__ == "__main__":
    print(counts_table(package_counts(MODULES)))
