"""``python -m analysis report DATA.gpkg --out DIR --pptx [--sequence NAME]``: the
16:9 slides beside the Word report — the standard set of the county (its
overview, each of its townships, the ranking, the grids, the joint
organisations), or a sequence saved in the data folder; an unknown sequence
exits 1 in Chinese and writes nothing."""
import subprocess
import sys

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from cli.main import main
from geo.dataset import load_dataset
from geo.sequence_store import SequenceStore, View
from geo.settings import load_settings
from report.slides import area_options
from tests.conftest import DEMO, ROOT

YONGAN = "350481"


@pytest.fixture(scope="module")
def demo_dataset():
    return load_dataset(DEMO)


def run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", "report", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def _title(slide) -> str:
    return next(s.text_frame.text for s in slide.shapes if s.name == "title")


def test_county_report_with_the_standard_slides(tmp_path, demo_dataset):
    out = tmp_path / "永安"
    done = run(DEMO, "--out", out, "--county", YONGAN, "--pptx")
    assert done.returncode == 0, done.stderr
    deck = out / "350481永安市_汇报幻灯片.pptx"
    assert str(deck) in done.stdout.splitlines()
    # the report as without --pptx (its maps are tested in test_report.py)
    assert len(list(out.glob("*.docx"))) == len(list(out.glob("*.xlsx"))) == 1
    assert list(out.glob("*.png"))
    prs = Presentation(str(deck))
    townships = area_options(demo_dataset.villages)[YONGAN][1]
    assert len(prs.slides) == 1 + len(townships) + 3
    assert prs.slide_width * 9 == prs.slide_height * 16
    titles = [_title(slide) for slide in prs.slides]
    assert titles[0] == "永安市 · 总览"
    assert titles[1:1 + len(townships)] == [f"永安市 · {name} · 总览"
                                            for _, name in sorted(townships.items())]
    assert titles[-3:] == ["永安市 · 排名（联村覆盖率）", "永安市 · 网格治理", "永安市 · 跨村联建"]
    assert all(any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes)
               for slide in prs.slides)


def test_a_saved_sequence_becomes_the_slides(tmp_path):
    store = SequenceStore(load_settings().folder)  # the tests' own data folder
    store.add_view("县委汇报", View("rankings", YONGAN, coloring="grid_manager_coverage"),
                   create=True)
    store.add_view("县委汇报", View("overview", YONGAN, coloring="income_eval", year=2021))
    out = tmp_path / "out"
    try:
        done = run(DEMO, "--out", out, "--sequence", "县委汇报")
    finally:
        store.delete("县委汇报")
    assert done.returncode == 0, done.stderr
    prs = Presentation(str(out / "全市_汇报幻灯片.pptx"))
    assert [_title(s) for s in prs.slides] == [
        "永安市 · 排名（网格管家配备率）", "永安市 · 总览（集体经营性收入）"]
    date = next(s.text_frame.text for s in prs.slides[1].shapes if s.name == "date")
    assert date.startswith("数据截至 2021 年")


def test_an_unknown_sequence_exits_1_and_writes_nothing(tmp_path, capsys):
    assert main(["report", str(DEMO), "--out", str(tmp_path / "out"),
                 "--sequence", "没有这个"]) == 1
    err = capsys.readouterr().err
    assert "没有名为“没有这个”的汇报序列" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
