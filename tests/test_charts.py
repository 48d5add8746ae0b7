"""Server-drawn charts: valid SVG an assistive technology reads as one image, a bar or point
for every figure, the same figures in the table, and no surprises from empty, zero, missing
or negative data."""

import datetime
import math
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from ksm_portal.charts import FONT, WIDTH, Series, bar_chart, month_chart
from ksm_portal.numbers import grouped_number, short_number
from tests.web.support import parse

SVG = "{http://www.w3.org/2000/svg}"
PHONE_CONTENT_WIDTH = 336  # a 360 px screen less the page's side padding


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


def svg_of(chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def bars(chart) -> list[ET.Element]:
    return [e for e in svg_of(chart).iter(f"{SVG}rect") if e.get("class") == "chart-bar"]


def texts(chart, css_class: str) -> list[str]:
    return [e.text for e in svg_of(chart).iter(f"{SVG}text") if e.get("class") == css_class]


def coordinates_are_finite(chart) -> bool:
    names = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height"}
    numbers = [float(v) for e in svg_of(chart).iter() for k, v in e.attrib.items() if k in names]
    return bool(numbers) and all(math.isfinite(n) for n in numbers)


def table(chart) -> list[list[str]]:
    return [[row.label.text, *(cell.text for cell in row.cells)] for row in chart.rows]


def rupiah(value) -> str:
    return f"Rp {grouped_number(value)}"


def by_district(**options):
    return bar_chart(
        title="KSM per kecamatan",
        labels=["Wonotunggal", "Bandar", "Warungasem"],
        series=[Series("Baru", [2, 1, 7]), Series("Reaktivasi", [1, 0, 5])],
        category_heading="Kecamatan",
        **options,
    )


def months(count: int, start=datetime.date(2016, 5, 1)) -> list[datetime.date]:
    return [
        datetime.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


# --- Bars by category ---------------------------------------------------------------------------


def test_a_bar_chart_is_one_labelled_image_of_valid_svg_that_scales_to_its_container():
    chart = by_district()

    svg = svg_of(chart)
    assert svg.get("role") == "img"
    assert svg.get("viewBox").startswith(f"0 0 {WIDTH} ")
    assert "width" not in svg.attrib  # the page decides the size
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "KSM per kecamatan"
    assert "Baru" in desc.text and "Reaktivasi" in desc.text


def test_chart_text_stays_readable_on_a_360_pixel_phone():
    sizes = [FONT] + [
        float(e.get("font-size")) for e in svg_of(by_district()).iter() if e.get("font-size")
    ]

    assert min(sizes) * PHONE_CONTENT_WIDTH / WIDTH >= 11


def test_grouped_bars_draw_one_bar_per_figure_and_label_each_with_its_value():
    chart = by_district()

    assert [bar.get("data-value") for bar in bars(chart)] == ["2", "1", "1", "0", "7", "5"]
    assert texts(chart, "chart-value") == ["2", "1", "1", "0", "7", "5"]
    assert texts(chart, "chart-label") == ["Wonotunggal", "Bandar", "Warungasem"]


def test_a_longer_bar_stands_for_a_larger_figure():
    widths = [float(bar.get("width")) for bar in bars(by_district())]

    assert widths[4] > widths[0] > widths[1] > widths[3] == 0  # 7 > 2 > 1 > 0
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.02)


def test_the_table_holds_the_same_figures_as_the_bars():
    chart = by_district()

    assert chart.category_heading == "Kecamatan"
    assert chart.columns == ("Baru", "Reaktivasi")
    assert table(chart) == [
        ["Wonotunggal", "2", "1"],
        ["Bandar", "1", "0"],
        ["Warungasem", "7", "5"],
    ]
    values = [bar.get("data-value") for bar in bars(chart)]
    assert values == [cell for row in table(chart) for cell in row[1:]]


def test_stacked_bars_draw_a_segment_per_figure_with_the_total_beside_each_bar():
    chart = by_district(stacked=True)

    assert len(bars(chart)) == 6
    assert texts(chart, "chart-value") == ["3", "1", "12"]
    assert chart.columns == ("Baru", "Reaktivasi", translation.gettext("Total"))
    assert table(chart)[2] == ["Warungasem", "7", "5", "12"]
    first, second = bars(chart)[4:6]  # Warungasem: the second segment starts where the first ends
    assert float(second.get("x")) == pytest.approx(
        float(first.get("x")) + float(first.get("width"))
    )


def test_money_is_short_on_the_chart_and_in_full_in_the_table():
    chart = bar_chart(
        title="Simpanan",
        labels=["Sodong"],
        series=[Series("Wajib", [Decimal("1250000")])],
        format_value=rupiah,
    )

    assert texts(chart, "chart-value") == ["1,3 jt"]
    assert table(chart) == [["Sodong", "Rp 1.250.000"]]
    assert bars(chart)[0].find(f"{SVG}title").text == "Sodong · Wajib: Rp 1.250.000"


def test_no_categories_give_an_empty_chart_that_says_so():
    chart = bar_chart(title="PAR30 per kecamatan", labels=[], series=[Series("PAR30", [])])

    assert chart.empty
    assert bars(chart) == []
    assert chart.rows == ()
    svg = svg_of(chart)
    assert svg.find(f"{SVG}title").text == "PAR30 per kecamatan"
    assert svg.find(f"{SVG}desc").text == translation.gettext("No figures to show yet.")
    assert texts(chart, "chart-empty") == [translation.gettext("No figures to show yet.")]


def test_all_zero_figures_draw_empty_bars_without_dividing_by_zero():
    chart = bar_chart(
        title="Nol", labels=["A", "B"], series=[Series("x", [0, 0]), Series("y", [0, 0])]
    )

    assert [bar.get("width") for bar in bars(chart)] == ["0"] * 4
    assert coordinates_are_finite(chart)
    assert table(chart) == [["A", "0", "0"], ["B", "0", "0"]]


def test_a_negative_figure_is_drawn_left_of_the_zero_line_with_its_value_before_it():
    chart = bar_chart(
        title="Laba",
        labels=["Sodong", "Brayo"],
        series=[Series("Laba", [Decimal("500000"), Decimal("-300000")])],
    )

    gain, loss = bars(chart)
    zero = float(gain.get("x"))
    assert float(loss.get("x")) + float(loss.get("width")) == pytest.approx(zero)
    assert float(loss.get("x")) < zero
    labels = [e for e in svg_of(chart).iter(f"{SVG}text") if e.get("class") == "chart-value"]
    assert [label.text for label in labels] == ["500 rb", "-300 rb"]
    assert labels[1].get("text-anchor") == "end"
    assert float(labels[1].get("x")) < float(loss.get("x"))
    for element in svg_of(chart).iter():
        if element.get("x") is not None:
            assert 0 <= float(element.get("x")) <= WIDTH


def test_a_stack_with_a_negative_part_grows_both_ways_from_zero_and_shows_its_net_total():
    chart = bar_chart(
        title="Arus kas",
        labels=["Sodong"],
        series=[Series("Masuk", [Decimal(400)]), Series("Keluar", [Decimal(-600)])],
        stacked=True,
    )

    cash_in, cash_out = bars(chart)
    assert float(cash_out.get("x")) + float(cash_out.get("width")) == pytest.approx(
        float(cash_in.get("x")), abs=0.01
    )
    assert texts(chart, "chart-value") == ["-200"]
    assert table(chart) == [["Sodong", "400", "-600", "-200"]]


def test_a_missing_figure_has_no_bar_and_a_dash_in_the_table():
    chart = bar_chart(
        title="PAR30", labels=["A", "B"], series=[Series("PAR30", [Decimal(5), None])]
    )

    assert len(bars(chart)) == 1
    assert table(chart) == [["A", "5"], ["B", "—"]]


def test_bars_link_to_the_list_behind_them_and_the_table_carries_the_same_links():
    chart = by_district(
        urls=["/ksm/?district=1", "/ksm/?district=2", None],
    )

    links = list(svg_of(chart).iter(f"{SVG}a"))
    assert {link.get("href") for link in links} == {"/ksm/?district=1", "/ksm/?district=2"}
    assert all(
        link.get("tabindex") == "-1" for link in links
    )  # the table's links are the tab stops
    assert [row.label.url for row in chart.rows] == ["/ksm/?district=1", "/ksm/?district=2", ""]


def test_a_series_can_link_each_of_its_bars_to_a_list_of_its_own():
    chart = bar_chart(
        title="KSM",
        labels=["Bandar"],
        urls=["/ksm/?district=2"],
        series=[
            Series("Baru", [1], urls=["/ksm/?district=2&origin=new"]),
            Series("Reaktivasi", [2]),
        ],
    )

    hrefs = [link.get("href") for link in svg_of(chart).iter(f"{SVG}a")]
    assert "/ksm/?district=2&origin=new" in hrefs
    assert [cell.url for cell in chart.rows[0].cells] == [
        "/ksm/?district=2&origin=new",
        "/ksm/?district=2",
    ]


def test_names_with_markup_characters_stay_text():
    chart = bar_chart(title="A & B <c>", labels=['"Maju" & <Jaya>'], series=[Series("x<y", [1])])

    svg = svg_of(chart)
    assert svg.find(f"{SVG}title").text == "A & B <c>"
    assert texts(chart, "chart-label") == ['"Maju" & <Jaya>']


def test_a_long_name_is_shortened_on_the_chart_but_whole_in_its_tooltip_and_the_table():
    name = "Kecamatan dengan nama yang sangat panjang sekali untuk layar ponsel kecil"
    chart = bar_chart(title="KSM", labels=[name], series=[Series("KSM", [3])])

    label = next(e for e in svg_of(chart).iter(f"{SVG}text") if e.get("class") == "chart-label")
    assert label.text.endswith("…") and len(label.text) < len(name)
    assert label.find(f"{SVG}title").text == name
    assert chart.rows[0].label.text == name


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bar_chart(title="KSM", labels=["a", "b", "c"], series=[Series("x", [1, 2])])


# --- Figures by month ---------------------------------------------------------------------------


def savings_and_loans(count: int = 24, **options):
    return month_chart(
        title="Simpanan dan pinjaman",
        months=months(count),
        series=[
            Series("Simpanan", [Decimal(1_000_000 * i) for i in range(count)]),
            Series("Pinjaman", [Decimal(1_500_000 * i) for i in range(count)]),
            Series("Tunggakan", [Decimal(200_000 * i) for i in range(count)]),
        ],
        format_value=rupiah,
        **options,
    )


def test_a_line_chart_draws_a_line_and_a_marker_per_month_for_each_series():
    chart = savings_and_loans()

    svg = svg_of(chart)
    lines = [e for e in svg.iter(f"{SVG}path") if e.get("class") == "chart-line"]
    points = [e for e in svg.iter(f"{SVG}g") if e.get("class") == "chart-point"]
    assert len(lines) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3  # apart in grey print too
    assert len(points) == 24 * 3
    assert len(chart.legend) == 3


def test_month_labels_thin_out_to_fit_a_phone_and_name_each_year():
    chart = savings_and_loans()

    axis = [
        e.text for g in svg_of(chart).iter(f"{SVG}g") if g.get("class") == "chart-axis" for e in g
    ]
    assert "Mei" in axis
    assert 6 <= len([t for t in axis if not t.isdigit()]) < 24
    assert [t for t in axis if t.isdigit()] == ["2016", "2017", "2018"]


def test_the_axis_shows_short_amounts_and_the_table_the_full_ones():
    chart = savings_and_loans()

    grid = [
        e.text for g in svg_of(chart).iter(f"{SVG}g") if g.get("class") == "chart-grid" for e in g
    ]
    assert "0" in [t for t in grid if t]
    assert any(t and t.endswith(" jt") for t in grid)
    assert chart.columns == ("Simpanan", "Pinjaman", "Tunggakan")
    assert table(chart)[1] == ["Juni 2016", "Rp 1.000.000", "Rp 1.500.000", "Rp 200.000"]
    assert len(chart.rows) == 24


def test_a_month_without_a_figure_breaks_the_line():
    chart = month_chart(
        title="Simpanan",
        months=months(4),
        series=[Series("Simpanan", [1, 2, None, 4])],
    )

    line = next(e for e in svg_of(chart).iter(f"{SVG}path") if e.get("class") == "chart-line")
    assert line.get("d").count("M") == 2
    assert table(chart)[2][1] == "—"


def test_columns_by_month_side_by_side_or_stacked():
    side = savings_and_loans(12, kind="column")
    stacked = savings_and_loans(12, kind="column", stacked=True)

    assert len(bars(side)) == len(bars(stacked)) == 12 * 3
    assert stacked.columns[-1] == translation.gettext("Total")
    assert table(stacked)[1][-1] == "Rp 2.700.000"
    assert float(bars(stacked)[0].get("width")) == pytest.approx(
        3 * float(bars(side)[0].get("width"))
    )


def test_negative_columns_hang_below_the_zero_line():
    chart = month_chart(
        title="Laba",
        kind="column",
        months=months(2),
        series=[Series("Laba", [Decimal(100), Decimal(-50)])],
    )

    up, down = bars(chart)
    zero = float(up.get("y")) + float(up.get("height"))
    assert float(down.get("y")) == pytest.approx(zero)
    assert float(down.get("height")) == pytest.approx(float(up.get("height")) / 2, abs=0.01)


def test_an_empty_or_all_zero_month_chart_is_still_valid():
    empty = month_chart(title="Simpanan", months=[], series=[Series("Simpanan", [])])
    zeros = month_chart(title="Simpanan", months=months(3), series=[Series("Simpanan", [0, 0, 0])])

    assert empty.empty and svg_of(empty) is not None
    assert coordinates_are_finite(zeros)
    assert len([e for e in svg_of(zeros).iter(f"{SVG}g") if e.get("class") == "chart-point"]) == 3


# --- The template -------------------------------------------------------------------------------


def test_the_template_shows_the_chart_with_a_legend_and_its_table_alternative():
    chart = by_district(stacked=True, urls=["/ksm/?district=1", None, None])

    page = parse(render_to_string("includes/chart.html", {"chart": chart}))

    figure = page.by_id("chart-ksm-per-kecamatan")
    assert figure.find_all("figcaption")[0].text == "KSM per kecamatan"
    assert [li.text for li in figure.find_all("li")] == ["Baru", "Reaktivasi"]
    rows = page.by_id("chart-ksm-per-kecamatan-table").rows()
    assert rows[0] == ["Kecamatan", "Baru", "Reaktivasi", translation.gettext("Total")]
    assert rows[1:] == [
        ["Wonotunggal", "2", "1", "3"],
        ["Bandar", "1", "0", "1"],
        ["Warungasem", "7", "5", "12"],
    ]
    assert page.by_id("chart-ksm-per-kecamatan-table").hrefs() == ["/ksm/?district=1"]
    toggle = page.by_id("chart-ksm-per-kecamatan-show-table")
    assert toggle.attrs["type"] == "checkbox"


def test_the_template_of_an_empty_chart_shows_no_table():
    chart = bar_chart(title="Kosong", labels=[], series=[])

    html = render_to_string("includes/chart.html", {"chart": chart})

    assert translation.gettext("No figures to show yet.") in html
    assert "<table" not in html


# --- Short numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (0, "0", "0"),
        (999, "999", "999"),
        (Decimal("12.5"), "12,5", "12.5"),
        (950_000, "950 rb", "950 k"),
        (999_950, "1 jt", "1 mn"),  # not "1.000 rb"
        (1_200_000, "1,2 jt", "1.2 mn"),
        (125_000_000, "125 jt", "125 mn"),
        (3_000_000_000, "3 M", "3 bn"),  # miliar
        (5 * 10**12, "5 T", "5 tn"),
        (-1_200_000, "-1,2 jt", "-1.2 mn"),
        (Decimal("-0.001"), "0", "0"),
    ],
)
def test_short_numbers_follow_the_readers_language(value, indonesian, english):
    assert short_number(value) == indonesian
    with translation.override("en"):
        assert short_number(value) == english


def test_grouped_numbers_show_every_digit():
    assert grouped_number(1_250_000) == "1.250.000"
    assert grouped_number(Decimal("1250.50")) == "1.250,5"
    assert grouped_number(-5000) == "-5.000"
    with translation.override("en"):
        assert grouped_number(1_250_000) == "1,250,000"
