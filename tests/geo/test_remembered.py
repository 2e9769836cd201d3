"""What an import remembers (column mappings, village-name picks), in a data folder and
in PostgreSQL: read back, kept across stores, nothing lost to two writers at once."""
import threading

from geo.db import is_url
from geo.ingest.by_name import recalled_names, remember_names
from geo.ingest.columns import recalled_mapping, remember_mapping
from geo.remembered import read_text, update_text


def test_mappings_and_names_are_recalled_from_the_store(location):
    remember_mapping(location, "villages", ["编码", "村名"], {"编码": "village_code",
                                                            "村名": "name"})
    remember_names(location, {"清溪镇/上平村": "350999101201"})
    assert recalled_mapping(location, "villages", ["村名", "编码"]) == {
        "编码": "village_code", "村名": "name"}
    assert recalled_mapping(location, "grids", ["编码", "村名"]) == {}
    assert recalled_names(location) == {"清溪镇/上平村": "350999101201"}
    remember_names(location, {"清溪镇/下平村": "350999101202"})
    assert recalled_names(location) == {"清溪镇/上平村": "350999101201",
                                        "清溪镇/下平村": "350999101202"}


def test_nothing_is_remembered_in_a_new_store(location):
    assert recalled_names(location) == {} and read_text(location, "column_maps.json") is None


def test_a_damaged_record_is_ignored_and_replaced(location, caplog):
    update_text(location, "village_names.json", lambda old: "{not json")
    assert recalled_names(location) == {}
    assert "村名对应记录" in caplog.text
    remember_names(location, {"甲镇/乙村": "350999101203"})
    assert recalled_names(location) == {"甲镇/乙村": "350999101203"}


def test_two_writers_at_once_lose_nothing(location):
    def add(prefix):
        for i in range(15):
            remember_names(location, {f"{prefix}镇/{i}村": f"{prefix}{i}"})
    threads = [threading.Thread(target=add, args=(p,)) for p in "甲乙"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(recalled_names(location)) == 30
    assert is_url(location) or not list(location.glob("*.part"))
