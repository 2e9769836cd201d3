"""A version made current elsewhere (another session, another app process) is shown at
the next run, and the caches of the version shown before are dropped."""
from geo.settings import ENV_CONFIG, ENV_DATA
from geo.store import DataStore
from tests.geo.conftest import tiny_layers, write_gpkg
from ui import cached


def test_the_next_run_shows_the_new_current_version_and_forgets_the_old(tmp_path,
                                                                        monkeypatch):
    folder = tmp_path / "var"
    config = tmp_path / "dashboard.toml"
    config.write_text(f'[data]\nfolder = "{folder}"\n', encoding="utf-8")
    monkeypatch.setenv(ENV_CONFIG, str(config))
    monkeypatch.delenv(ENV_DATA, raising=False)
    store = DataStore(folder)
    first = store.add_version(write_gpkg(tmp_path / "a.gpkg", tiny_layers()), "一")

    shown = cached.current_source()
    assert shown.path == str(store.path_of(first.id)) and not shown.is_demo
    before = cached.dataset(shown)
    assert cached.dataset(cached.current_source()) is before  # the same version: kept

    layers = tiny_layers()
    layers["villages"] = layers["villages"].iloc[:2]
    layers["joint_members"] = layers["joint_members"][
        layers["joint_members"]["village_code"].isin(layers["villages"]["village_code"])]
    second = DataStore(folder).add_version(write_gpkg(tmp_path / "b.gpkg", layers), "二")
    now = cached.current_source()  # the next run, in any session of this process
    assert now.path == str(store.path_of(second.id))
    assert len(cached.dataset(now).villages) == 2
    assert cached.dataset(shown) is not before  # the old version's cache was dropped

    DataStore(folder).switch(first.id)  # and back again
    assert cached.current_source() == shown
    assert len(cached.dataset(cached.current_source()).villages) == len(before.villages)
