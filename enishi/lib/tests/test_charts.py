from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from enishi.analytics.figures import Figure, Series
from enishi.lib.charts import figure_table, format_value, nps_distribution, period_label, render_chart

SVG = "{http://www.w3.org/2000/svg}"


def _svg(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])  # noqa: S314 - our own output, not untrusted input


def _bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if "chart-bar" in rect.get("class", "")]


def test_it_draws_vertical_bars_with_heights_proportional_to_values() -> None:
    figure = Figure("hires", "Hires", "bar", ["2026-01", "2026-02", "2026-03"], [Series("hires", "Hires", [10, 20, 5])])

    root = _svg(render_chart(figure))

    heights = [float(rect.get("height", "0")) for rect in _bars(root)]
    assert len(heights) == 3
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.01)
    assert heights[2] == pytest.approx(heights[0] / 2, rel=0.01)
    assert [rect.get("data-value") for rect in _bars(root)] == ["10", "20", "5"]


def test_it_gives_the_chart_an_accessible_title_and_description() -> None:
    figure = Figure("reg", "Registrations <b>", "line", ["2026-01", "2026-02"], [Series("n", "Registered", [3, 7])])

    with translation.override("en"):
        html = render_chart(figure)
    root = _svg(html)

    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Registrations <b>"  # escaped in the markup, parsed back here
    assert desc is not None
    assert desc.text is not None
    assert "Jan 2026" in desc.text
    assert "highest 7 (Feb 2026)" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert len(list(root.iter(f"{SVG}circle"))) == 2
    assert "<b>" not in html


def test_it_never_writes_style_attributes_or_scripts() -> None:
    figure = Figure("x", "X", "stacked", ["2026-01"], [Series("a", "A", [1]), Series("b", "B", [2])])

    html = str(render_chart(figure))

    assert "style=" not in html
    assert "<script" not in html
    assert "<style" not in html


def test_it_says_no_data_yet_for_an_empty_figure() -> None:
    empty_labels = Figure("x", "X", "line", [], [Series("a", "A", [])])
    zeros = Figure("x", "X", "bar", ["2026-01"], [Series("a", "A", [0])])
    nones = Figure("x", "X", "bar", ["2026-01"], [Series("a", "A", [None])])

    with translation.override("en"):
        for figure in (empty_labels, zeros, nones):
            assert str(render_chart(figure)) == '<p class="chart-empty">No data yet.</p>'


def test_it_draws_company_bars_horizontally_and_cuts_long_labels() -> None:
    figure = Figure(
        "by_company",
        "By company",
        "bar",
        ["株式会社サンプル・ホールディングス", "B社"],
        [Series("n", "Registered", [40, 10])],
    )

    root = _svg(render_chart(figure))

    widths = [float(rect.get("width", "0")) for rect in _bars(root)]
    assert widths[0] == pytest.approx(4 * widths[1], rel=0.01)
    labels = [text.find(f"{SVG}title") for text in root.iter(f"{SVG}text") if text.get("class") == "chart-label"]
    assert labels[0] is not None
    assert labels[0].text == "株式会社サンプル・ホールディングス"
    assert labels[0].tail == "株式会社サンプル・ホー…"


def test_it_puts_a_percent_axis_from_0_to_100() -> None:
    figure = Figure("mau", "MAU", "line", ["2026-01", "2026-02"], [Series("mau", "MAU", [50, 62.5])], unit="percent")

    root = _svg(render_chart(figure))

    ticks = [text.text for text in root.iter(f"{SVG}text") if text.get("class") == "chart-tick" and text.text]
    assert {"0%", "50%", "100%"} <= set(ticks)


def test_it_stacks_bars_and_shows_a_legend() -> None:
    figure = Figure(
        "hires", "Hires", "stacked", ["2026-01"], [Series("ft", "Full-time", [2]), Series("side", "Side job", [6])]
    )

    html = str(render_chart(figure))
    bars = _bars(_svg(html))

    assert float(bars[1].get("height", "0")) == pytest.approx(3 * float(bars[0].get("height", "0")), rel=0.01)
    assert float(bars[1].get("y", "0")) + float(bars[1].get("height", "0")) == pytest.approx(
        float(bars[0].get("y", "0"))
    )
    assert 'class="chart-legend"' in html
    assert "Side job" in html


def test_it_draws_a_funnel_with_conversions() -> None:
    figure = Figure(
        "funnel", "Funnel", "funnel", ["Interest", "Application", "Hired"], [Series("n", "People", [200, 50, 10])]
    )

    root = _svg(render_chart(figure))

    values = ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert values == ["200", "50 (25%)", "10 (20%)"]
    headers, rows = figure_table(figure)
    assert headers[-1] == "Conversion from the previous stage (%)"
    assert rows == [["Interest", 200, None], ["Application", 50, 25.0], ["Hired", 10, 20.0]]


def test_it_colours_an_nps_distribution_by_group() -> None:
    figure = nps_distribution("nps", "NPS", [1, 0, 0, 0, 0, 0, 2, 3, 4, 5, 6])

    classes = [rect.get("class", "") for rect in _bars(_svg(render_chart(figure)))]

    assert sum("chart-detractor" in c for c in classes) == 7
    assert sum("chart-passive" in c for c in classes) == 2
    assert sum("chart-promoter" in c for c in classes) == 2
    with pytest.raises(ValueError, match="11 counts"):
        nps_distribution("nps", "NPS", [1, 2])


def test_it_formats_values_and_months_in_both_languages() -> None:
    with translation.override("ja"):
        assert period_label("2026-04") == "2026年4月"
        assert period_label("2026-04", short=True) == "4月"
        assert format_value(12345, "count") == "12,345"
        assert format_value(62.5, "percent") == "62.5%"
    with translation.override("en"):
        assert period_label("2026-04") == "Apr 2026"
        assert format_value(3, "days") == "3 days"
        assert format_value(None, "count") == "–"
    assert period_label("株式会社A") == "株式会社A"


def test_it_makes_a_table_of_every_series() -> None:
    figure = Figure(
        "x",
        "X",
        "line",
        ["2026-01", "2026-02"],
        [Series("a", "A", [1, None]), Series("b", "B", [2, 3])],
        x_label="Month",
    )

    assert figure_table(figure) == (["Month", "A", "B"], [["2026-01", 1, 2], ["2026-02", None, 3]])


def test_it_draws_negative_values_below_a_zero_line() -> None:
    figure = Figure("nps", "NPS", "bar", ["2026-01", "2026-02"], [Series("nps", "NPS", [-20, 40])], unit="score")

    root = _svg(render_chart(figure))

    down, up = _bars(root)
    assert float(up.get("height", "0")) == pytest.approx(2 * float(down.get("height", "0")), rel=0.01)
    assert float(down.get("y", "0")) == pytest.approx(float(up.get("y", "0")) + float(up.get("height", "0")))
    ticks = [text.text for text in root.iter(f"{SVG}text") if text.get("class") == "chart-tick" and text.text]
    assert "-20" in ticks
    assert "0" in ticks


def test_it_writes_weeks_as_days() -> None:
    with translation.override("ja"):
        assert period_label("2026-01-05") == "2026年1月5日"
        assert period_label("2026-01-05", short=True) == "1/5"
