"""``python -m analysis report DATA.gpkg --out DIR [--county CODE]`` (SPEC §5).

The command runs as a process: exit 0 with the list of files written, exit 1
with a Chinese message (never a traceback) for an unknown county or invalid
data, and no file left behind then.
"""
import subprocess
import sys

import pytest
from docx import Document
from PIL import Image

from cli.main import main
from tests.conftest import DEMO, ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", "report", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_county_report_writes_maps_docx_and_xlsx(tmp_path):
    out = tmp_path / "永安"
    done = run(DEMO, "--out", out, "--county", "350481", "--vector", "pdf")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    listed = [line for line in done.stdout.splitlines() if line.startswith(str(out))]
    files = sorted(out.iterdir())
    assert sorted(map(str, files)) == sorted(listed)
    by_suffix = {suffix: [f for f in files if f.suffix == suffix]
                 for suffix in (".png", ".pdf", ".docx", ".xlsx")}
    assert len(by_suffix[".png"]) == len(by_suffix[".pdf"]) == 6     # walk: the demo has roads
    assert len(by_suffix[".docx"]) == len(by_suffix[".xlsx"]) == 1
    assert all(f.name.startswith("350481永安市_") for f in files)
    with Image.open(by_suffix[".png"][0]) as image:
        assert image.size == (3508, 2480)
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    doc = Document(by_suffix[".docx"][0])
    assert doc.paragraphs[0].text == "永安市跨村联建与网格治理工作情况报告"
    assert any("示例数据" in p.text for p in doc.paragraphs)      # the demo is marked
    assert len(doc.inline_shapes) == 6


def test_unknown_county_exits_1_with_a_chinese_message(tmp_path):
    done = run(DEMO, "--out", tmp_path / "out", "--county", "999999")
    assert done.returncode == 1
    assert "未知的县代码 999999" in done.stderr and "350481（永安市）" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_invalid_data_exits_1_without_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    assert main(["report", str(bad), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "不是 GeoPackage" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_out_is_required(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(DEMO)])
    assert exit_info.value.code == 2
    assert "--out" in capsys.readouterr().err
