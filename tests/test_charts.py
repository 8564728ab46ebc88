"""Charts: server-drawn SVG that parses, labels escaped, the numbers as a table beside the image."""
import base64
import xml.etree.ElementTree as ET

from flask import render_template_string

from formserver.charts import bar_chart, line_chart, plain_number

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_bar_chart_is_svg_with_escaped_labels_and_no_script():
    chart = bar_chart("Per status", [("<script>alert(1)</script>", 3), ("Terbit & berlaku", 12)], "Status", "Jumlah")
    root = ET.fromstring(chart.svg)  # well-formed XML: a label cannot break out of its text node
    assert root.tag == f"{SVG}svg"
    assert b"<script" not in chart.svg  # no JavaScript at all, and the label is escaped text
    assert b"&lt;script&gt;" in chart.svg
    assert any("Terbit & berlaku" in t for t in _texts(chart.svg))
    assert chart.rows == (("<script>alert(1)</script>", "3"), ("Terbit & berlaku", "12"))


def test_line_chart_keeps_period_order_and_formats_measures():
    chart = line_chart("Tren IKM", [("2025-1", 80.5), ("2025-2", 82.25)], "Semester", "IKM")
    ET.fromstring(chart.svg)
    assert [label for label, _ in chart.rows] == ["2025-1", "2025-2"]
    assert chart.rows[1][1] == "82,25"
    assert plain_number(1234) == "1.234" and plain_number(1234.5) == "1.234,50"


def test_empty_chart_still_renders():
    chart = bar_chart("Kosong", [], "Status", "Jumlah")
    ET.fromstring(chart.svg)
    assert chart.rows == ()


def test_macro_shows_image_and_table_with_labels_escaped(app):
    chart = bar_chart("Per <b>status</b>", [("<img src=x onerror=alert(1)>", 2)], "Status", "Jumlah")
    with app.test_request_context("/"):
        html = render_template_string('{% from "_charts.html" import chart %}{{ chart(c) }}', c=chart)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>status</b>" not in html
    assert '<table class="table chart-table">' in html and '<th scope="row">' in html and ">2</td>" in html
    uri = html.split('src="', 1)[1].split('"', 1)[0]
    assert uri.startswith("data:image/svg+xml;base64,")
    ET.fromstring(base64.b64decode(uri.split(",", 1)[1]))


def test_an_empty_chart_says_so_in_the_locale_of_the_moment(in_english):
    from formserver.i18n import current_locale
    assert "No data." in _texts(bar_chart("Per status", [], "Status", "Jumlah").svg)
    token = current_locale.set("id")
    try:
        said = _texts(bar_chart("Per status", [], "Status", "Jumlah").svg)
    finally:
        current_locale.reset(token)
    assert "Tidak ada data." in said and not any("No data" in t for t in said)
