"""The figures' parameters from the settings file."""
from analysis.params import default_params
from geo.settings import load_settings
from tests.geo.test_settings import write_config


def test_default_params_take_the_thresholds(tmp_path):
    s = load_settings(write_config(tmp_path, "[figures]\nstrong_threshold = 80\n"
                                   "low_income_threshold = 5\nservice_radius_m = 500\n"))
    p = default_params(s)
    assert (p.strong_threshold, p.low_income_threshold, p.target_income,
            p.service_radius_m) == (80.0, 5.0, 50.0, 500.0)
