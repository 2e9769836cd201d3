"""Deployment settings (geo.settings): new keys, their checks, and which dataset is shown."""
import dataclasses
import tomllib

import pytest

from geo.settings import (DEFAULT_CONFIG, ENV_DATA, ROOT, STREAMLIT_CONFIG, dataset_path,
                          load_settings, streamlit_upload_limit_mb)
from geo.store import DataStore
from tests.geo.conftest import tiny_layers, write_gpkg


def write_config(tmp_path, text: str):
    path = tmp_path / "dashboard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_configuration_has_the_documented_defaults():
    s = load_settings(DEFAULT_CONFIG)
    assert (s.upload_limit_mb, s.zip_max_files, s.zip_max_total_mb) == (200, 200, 1024)
    assert (s.min_size, s.max_size, s.within_township) == (3, 6, True)
    assert (s.strong_threshold, s.low_income_threshold, s.target_income,
            s.service_radius_m) == (50.0, 10.0, 50.0, 1000.0)
    assert s.folder == ROOT / "var" and isinstance(s.strong_threshold, float)


def test_a_missing_file_gives_the_same_defaults(tmp_path):
    assert load_settings(tmp_path / "none.toml") == load_settings(DEFAULT_CONFIG)


def test_the_stated_upload_limit_is_streamlits():
    """The page states upload_limit_mb; Streamlit enforces server.maxUploadSize."""
    streamlit = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    assert streamlit["server"]["maxUploadSize"] == load_settings(DEFAULT_CONFIG).upload_limit_mb
    assert streamlit_upload_limit_mb() == 200
    assert streamlit_upload_limit_mb(ROOT / "no-such.toml") is None


def test_values_are_read(tmp_path):
    s = load_settings(write_config(tmp_path, "[upload]\nupload_limit_mb = 50\nzip_max_files = 20\n"
                                   "[planning]\nmin_size = 2\nmax_size = 2\n"
                                   "within_township = false\n"
                                   "[figures]\nstrong_threshold = 80\ntarget_income = 60.5\n"
                                   "[data]\nfolder = \"/srv/dashboard\"\n"))
    assert (s.upload_limit_mb, s.zip_max_files, s.min_size, s.max_size) == (50, 20, 2, 2)
    assert (s.within_township, s.strong_threshold, s.target_income) == (False, 80.0, 60.5)
    assert str(s.folder) == "/srv/dashboard"


@pytest.mark.parametrize("text, message", [
    ('[planning]\nmin_size = "3"', r"\[planning\] min_size 应为整数，实际为 '3'"),
    ("[planning]\nmin_size = 2.5", r"\[planning\] min_size 应为整数"),
    ("[planning]\nmax_size = 1", r"\[planning\] max_size 应不小于 2，实际为 1"),
    ("[planning]\nmin_size = 5\nmax_size = 4", r"\[planning\] min_size（5）不能大于 max_size（4）"),
    ('[planning]\nwithin_township = "是"', r"\[planning\] within_township 应为 true 或 false"),
    ("[figures]\nstrong_threshold = -1", r"\[figures\] strong_threshold 应不小于 0"),
    ("[figures]\nservice_radius_m = nan", r"\[figures\] service_radius_m 应为数字"),
    ("[figures]\ntarget_income = true", r"\[figures\] target_income 应为数字"),
    ("[upload]\nupload_limit_mb = 0", r"\[upload\] upload_limit_mb 应不小于 1"),
    ("[upload]\nzip_max_total_mb = 1.5", r"\[upload\] zip_max_total_mb 应为整数"),
])
def test_bad_values_are_refused_naming_the_key(tmp_path, text, message):
    with pytest.raises(ValueError, match="配置文件 .*：" + message):
        load_settings(write_config(tmp_path, text))


# ---- which dataset is shown (SPEC §6) ----------------------------------------
@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_DATA, raising=False)
    return dataclasses.replace(load_settings(DEFAULT_CONFIG), folder=tmp_path / "var")


@pytest.fixture
def version_file(tmp_path):
    return write_gpkg(tmp_path / "import.gpkg", tiny_layers())


def test_empty_store_shows_the_demo(settings):
    assert dataset_path(settings) == (settings.demo, True)


def test_the_current_version_is_shown(settings, version_file):
    store = DataStore(settings.folder)
    store.add_version(version_file)
    store.add_version(version_file)
    assert dataset_path(settings) == (store.datasets / "v0002.gpkg", False)
    store.switch("v0001")
    assert dataset_path(settings) == (store.datasets / "v0001.gpkg", False)


def test_dashboard_data_comes_first(settings, version_file, monkeypatch, tmp_path):
    DataStore(settings.folder).add_version(version_file)
    monkeypatch.setenv(ENV_DATA, str(tmp_path / "other.gpkg"))
    assert dataset_path(settings) == (tmp_path / "other.gpkg", False)
    monkeypatch.setenv(ENV_DATA, str(settings.demo))
    assert dataset_path(settings) == (settings.demo, True)


def test_a_broken_store_falls_back_to_the_demo(settings, version_file, caplog):
    store = DataStore(settings.folder)
    store.add_version(version_file)
    (store.datasets / "v0001.gpkg").unlink()
    assert dataset_path(settings) == (settings.demo, True)
    assert "v0001" in caplog.text
    store.manifest_path.write_text("{", encoding="utf-8")
    assert dataset_path(settings) == (settings.demo, True)
    assert "已损坏" in caplog.text


def test_auth_defaults_keep_login_off():
    s = load_settings(DEFAULT_CONFIG)
    assert (s.auth_mode, s.idle_minutes, s.min_password_length) == ("none", 30, 10)
    assert s.oidc == {"provider": "", "name_claim": "preferred_username",
                      "roles_claim": "groups", "area_claim": "", "roles": {}, "areas": {}}


def test_auth_values_are_read(tmp_path):
    s = load_settings(write_config(tmp_path, """
[auth]
mode = "oidc"
idle_minutes = 15
min_password_length = 12
[auth.oidc]
provider = "keycloak"
roles_claim = "roles"
[auth.oidc.roles]
"/看板/管理员" = "admin"
[auth.oidc.areas]
"/县/永安" = "350481"
"""))
    assert (s.auth_mode, s.idle_minutes, s.min_password_length) == ("oidc", 15, 12)
    assert s.oidc["provider"] == "keycloak" and s.oidc["roles_claim"] == "roles"
    assert s.oidc["roles"] == {"/看板/管理员": "admin"}
    assert s.oidc["areas"] == {"/县/永安": "350481"}


@pytest.mark.parametrize("text, message", [
    ('[auth]\nmode = "ldap"', "[auth] mode 未知取值 'ldap'，可选：none, accounts, oidc"),
    ('[auth]\nmin_password_length = 6', "[auth] min_password_length 应不小于 8"),
    ('[auth]\nidle_minutes = 0', "[auth] idle_minutes 应不小于 1"),
    ('[auth.oidc]\nrole_claim = "x"', "[auth.oidc] 未知设置 role_claim，可选："),
    ('[auth.oidc.roles]\n"g" = "boss"', "[auth.oidc.roles] 'g' 的角色 'boss' 未知，可选："),
    ('[auth.oidc.areas]\n"g" = 5', "[auth.oidc.areas] 应为“声明取值 = 文字”的表"),
])
def test_bad_auth_values_are_refused(tmp_path, text, message):
    with pytest.raises(ValueError) as refused:
        load_settings(write_config(tmp_path, text))
    assert message in str(refused.value)


# ---- [store] url (issue 17) -----------------------------------------------------------------
def test_the_store_is_the_data_folder_unless_a_url_is_set(tmp_path):
    folder_only = load_settings(write_config(tmp_path, f'[data]\nfolder = "{tmp_path}/var"\n'))
    assert folder_only.store_url == "" and folder_only.store == tmp_path / "var"
    url = "postgresql://lianjian@127.0.0.1:5432/lianjian"
    shared = load_settings(write_config(tmp_path, f'[store]\nurl = " {url} "\n'))
    assert shared.store_url == url and shared.store == url


@pytest.mark.parametrize("text, message", [
    ('[store]\nurl = "mysql://x/y"', r"\[store\] url 应为空（使用数据文件夹）或 postgresql://"),
    ('[store]\nurl = 5', r"\[store\] url 应为空"),
    ('[store]\nurl = "postgresql://app:secret@db/x"\nuser = "a"',
     r"\[store\] 未知设置 user，可选：url"),
    ('store = "x"', r"\[store\] 应为一个表"),
])
def test_a_bad_store_setting_is_refused_naming_it(tmp_path, text, message):
    with pytest.raises(ValueError, match=message) as refused:
        load_settings(write_config(tmp_path, text))
    assert "secret" not in str(refused.value)


def test_a_bad_url_is_shown_without_its_password(tmp_path):
    with pytest.raises(ValueError) as refused:
        load_settings(write_config(tmp_path, '[store]\nurl = "mysql://app:secret@db/x"'))
    assert "secret" not in str(refused.value)
