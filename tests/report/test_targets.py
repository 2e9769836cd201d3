"""report.targets and the Word briefing's 目标对照 section: the table of marks and
the sentence naming who is behind (the four areas of tests/analysis/test_rankings.py)."""
import datetime as dt

import pytest
from docx import Document

from analysis.rankings import behind, rank_areas
from geo.settings import TARGETS
from report.build import ReportOptions, write_report
from report.targets import behind_sentence, targets_table
from tests.analysis.test_rankings import BEFORE, KEYS, ROWS


@pytest.fixture
def ranked():
    return rank_areas(ROWS, BEFORE, TARGETS, 0.10, KEYS)


def test_who_is_behind_in_words(ranked):
    assert behind(ranked, "joint_coverage")["name"].tolist() == ["丙", "丁"]
    assert behind_sentence(ranked, "joint_coverage", "县（市、区）") == \
        "尚有2个县（市、区）联村覆盖率低于60%：丙、丁。"
    assert behind_sentence(ranked, "low_income_villages", "乡镇（街道）") == \
        "尚有2个乡镇（街道）低收入村数高于0个：乙、丙。"
    met = rank_areas(ROWS[:2], None, TARGETS, keys=("joint_coverage",))
    assert behind_sentence(met, "joint_coverage", "县（市、区）") == \
        "各县（市、区）联村覆盖率均达到目标（≥60%）。"


def test_the_report_table(ranked):
    table = targets_table(ranked, "县（市、区）", 3)
    assert table.caption == "表3　各县（市、区）主要指标目标达成情况"
    assert table.header[0] == "指标" and table.header[-1] == "未达标的地区"
    assert table.rows[0] == ["联村覆盖率", "≥60%", "2", "1", "1", "丙、丁"]
    assert table.rows[1] == ["低收入村数", "≤0个", "1", "0", "2", "乙、丙"]
    assert [r[0] for r in table.rows] == ["联村覆盖率", "低收入村数", "网格管家配备率",
                                          "软弱涣散党组织整顿转化率"]


def test_the_briefing_has_the_table_and_the_sentences(toy, tmp_path):
    """The toy dataset (tests/analysis/conftest.py): 甲县 has villages v1, v2, v3, all
    in O1 (coverage 1); 乙县 has v4 (in O2) and v5 (coverage 1/2): below 60 %."""
    options = ReportOptions(maps=(), dpi=40, date=dt.date(2026, 11, 23),
                            targets=(("joint_coverage", 0.6),), yellow_margin=0.0)
    paths = write_report(toy, tmp_path / "out", options=options)
    doc = Document(next(p for p in paths if p.suffix == ".docx"))
    text = [p.text for p in doc.paragraphs]
    assert "七、目标对照与比学赶超" in text and text[-2] == "八、存在问题与下一步工作"
    assert ("对照工作目标（见表），各县（市、区）主要指标达成情况如下："
            "尚有1个县（市、区）联村覆盖率低于60%：乙县。") in text
    rows = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert rows == [["指标", "目标", "达标", "接近目标", "未达标", "未达标的地区"],
                    ["联村覆盖率", "≥60%", "1", "0", "1", "乙县"]]
