"""The report's font subset is made once per set of characters: kept on disk beside the reports,
read back by the next refresh (orchestration/report/fonts.py)."""

from __future__ import annotations

import pytest

from orchestration.report import fonts


@pytest.fixture
def cjk_font():
    if fonts._font_file() is None:
        pytest.skip("no Noto Sans CJK here (apt-get install fonts-noto-cjk)")


def test_the_subset_of_the_same_characters_is_read_back(cjk_font, tmp_path, monkeypatch):
    first = fonts.font_face_css("区位商 LQ", tmp_path)
    assert first.startswith('@font-face{font-family:"ReportCJK";src:url(data:font/woff;base64,')
    assert [path.suffix for path in tmp_path.iterdir()] == [".css"]

    def no_subsetting(*args):
        raise AssertionError("subset made again")

    monkeypatch.setattr(fonts, "_subset_css", no_subsetting)
    # the same characters in another order and with other Latin text: the same key, read from disk
    assert fonts.font_face_css("商位区 and more", tmp_path) == first
    with pytest.raises(AssertionError, match="subset made again"):
        fonts.font_face_css("专业化", tmp_path)


def test_a_page_without_chinese_embeds_no_font(tmp_path):
    assert fonts.font_face_css("LQ 1.25", tmp_path) == ""
    assert list(tmp_path.iterdir()) == []


def test_a_font_list_made_before_the_cjk_font_was_installed_still_finds_it(cjk_font, monkeypatch):
    """matplotlib keeps the font list it made on its first use; fonts-noto-cjk installed afterwards
    (as the report's warning advises) must reach the charts without clearing that cache."""
    import copy

    from matplotlib import font_manager

    from orchestration.report import charts

    stale = copy.copy(font_manager.fontManager)
    stale.ttflist = [f for f in font_manager.fontManager.ttflist if f.name not in charts.CJK_FAMILIES]
    monkeypatch.setattr(font_manager, "fontManager", stale)
    charts.cjk_family.cache_clear()
    try:
        assert charts._listed_cjk_family() is None  # the stale list, as matplotlib kept it
        assert charts.cjk_family() in charts.CJK_FAMILIES
        assert charts.style()["svg.fonttype"] == "path"
    finally:
        charts.cjk_family.cache_clear()
