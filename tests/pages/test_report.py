"""AppTest of the 报告导出 page: renders, defaults to the sidebar's county,
builds a county report with the button, offers every file for download."""
import pytest



@pytest.fixture
def app(open_page):
    return open_page("pages/report.py")


def _downloads(at):
    return at.get("download_button")


def test_renders_with_the_whole_city_and_no_files_yet(app):
    assert not app.exception
    assert app.title[0].value == "报告导出"
    assert app.selectbox(key="report_county").value is None
    assert app.multiselect(key="report_maps").value == ["overview", "income", "joint", "grid",
                                                        "service", "walk"]
    assert not _downloads(app)


def test_builds_a_county_report_and_offers_the_files(app):
    app.session_state["county"] = "350481"          # the sidebar's choice is the default
    app.run()
    assert app.selectbox(key="report_county").value == "350481"
    app.multiselect(key="report_maps").set_value(["overview", "grid"])
    app.multiselect(key="report_formats").set_value(["svg"])
    app.button(key="report_build").click().run()
    assert not app.exception
    assert not app.error
    assert "已生成 6 个文件" in app.success[0].value      # 2 PNG, 2 SVG, docx, xlsx
    downloads = _downloads(app)
    assert len(downloads) == 7                          # the ZIP and each file
    labels = [d.proto.label for d in downloads]
    assert labels[0] == "全部文件（ZIP）"
    assert any(label.endswith(".docx") for label in labels)
    assert any(label.endswith(".xlsx") for label in labels)
    assert sum(label.endswith(".png") for label in labels) == 2
    app.run()                                           # a rerun keeps the files offered
    assert len(_downloads(app)) == 7
