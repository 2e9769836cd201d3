"""``dashboard.toml [targets]`` (geo.settings): defaults, values read, unknown keys
and bad values refused in Chinese; the directions of analysis.rankings cover them."""
import pytest

from analysis.rankings import DIRECTIONS
from geo.settings import DEFAULT_CONFIG, TARGETS, load_settings


def write_config(tmp_path, text: str):
    path = tmp_path / "dashboard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_documented_ones(tmp_path):
    for settings in (load_settings(DEFAULT_CONFIG), load_settings(tmp_path / "none.toml")):
        assert dict(settings.targets) == {
            "joint_coverage": 0.60, "low_income_villages": 0, "grid_l4_standard_share": 0.95,
            "grid_manager_coverage": 1.0, "grid_l3_branch_coverage": 1.0,
            "service_population_coverage": 0.80, "weak_rectified_share": 1.0}
        assert settings.yellow_margin == 0.10
    assert set(TARGETS) == set(DIRECTIONS)


def test_values_are_read(tmp_path):
    s = load_settings(write_config(tmp_path, "[targets]\njoint_coverage = 0.7\n"
                                   "low_income_villages = 2\nyellow_margin = 0.2\n"))
    assert dict(s.targets)["joint_coverage"] == 0.7
    assert dict(s.targets)["low_income_villages"] == 2
    assert isinstance(dict(s.targets)["low_income_villages"], int)
    assert dict(s.targets)["grid_manager_coverage"] == 1.0 and s.yellow_margin == 0.2


def test_an_unknown_key_is_refused_with_the_valid_ones(tmp_path):
    path = write_config(tmp_path, "[targets]\njoint_covrage = 0.6\n")
    with pytest.raises(ValueError) as err:
        load_settings(path)
    message = str(err.value)
    assert "[targets] 未知目标 joint_covrage" in message
    assert "可选：joint_coverage, low_income_villages, grid_l4_standard_share" in message
    assert message.endswith("weak_rectified_share, yellow_margin")


@pytest.mark.parametrize("text, message", [
    ("joint_coverage = 60", "joint_coverage 应为 0 到 1 之间的比例（如 0.6 表示 60%），实际为 60"),
    ("joint_coverage = \"60%\"", "joint_coverage 应为数字，实际为 '60%'"),
    ("joint_coverage = true", "joint_coverage 应为数字"),
    ("low_income_villages = 1.5", "low_income_villages 应为不小于 0 的整数（个），实际为 1.5"),
    ("low_income_villages = -1", "low_income_villages 应为不小于 0 的整数"),
    ("yellow_margin = 1", "yellow_margin 应为 0 到 1 之间的比例"),
])
def test_bad_values_are_refused(tmp_path, text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(write_config(tmp_path, f"[targets]\n{text}\n"))


def test_targets_must_be_a_table(tmp_path):
    with pytest.raises(ValueError, match=r"\[targets\] 应为一个表"):
        load_settings(write_config(tmp_path, "targets = 3\n"))
