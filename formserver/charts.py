"""Charts drawn on the server: an SVG made by pygal, shown as an image, with its numbers as a table beside it.

The page needs no JavaScript and prints as it shows. The SVG goes into the page as a ``data:`` image: an
image runs no script and the page's Content-Security-Policy (no inline styles) does not apply inside it,
while pygal's own styles do. Labels are text nodes that pygal escapes; the table beside the chart (for
screen readers, and for anyone who wants the exact numbers) is escaped by Jinja. The choice of pygal over
matplotlib's SVG backend is measured in ``benchmarks/charts.py`` (docs/DECISIONS.md, docs/PERFORMANCE.md).

Use: ``bar_chart(title, [(label, value), ...], label_header, value_header)`` for one bar per category,
``line_chart(...)`` for a trend over periods, then ``{% from "_charts.html" import chart %}{{ chart(c) }}``.
"""
import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pygal
from pygal.style import Style

from .i18n import gettext

WIDTH = 640
STYLE = Style(background="white", plot_background="white", foreground="#1b1b1b", foreground_strong="#1b1b1b",
              foreground_subtle="#6f6f6f", colors=("#1f5fa8",), font_family="sans-serif",
              label_font_size=12, major_label_font_size=12, value_font_size=11, title_font_size=14)


def plain_number(value: float) -> str:
    """A count as it is written (1.234), a measure with two decimals in the Indonesian way (82,50)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its title, its numbers (for the table) and the SVG."""
    title: str
    label_header: str
    value_header: str
    rows: tuple[tuple[str, str], ...]  # (label, formatted value), in the chart's order
    svg: bytes
    width: int
    height: int

    @property
    def data_uri(self) -> str:
        """The SVG as a ``data:`` URI for an ``<img>``."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


def _without_scripts(root):
    """pygal puts its configuration in a <script> even with ``js=[]``; an image runs none, so none is sent."""
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _chart(kind, title: str, rows: Iterable[tuple[str, float]], label_header: str, value_header: str,
           height: int, fmt: Callable[[float], str], **options) -> Chart:
    rows = [(str(label), float(value)) for label, value in rows]
    drawing = kind(style=STYLE, width=WIDTH, height=height, show_legend=False, js=[], print_values=False,
                   value_formatter=fmt, truncate_label=28, no_data_text=gettext("Tidak ada data."), **options)
    drawing.add_xml_filter(_without_scripts)
    drawing.x_labels = [label for label, _ in rows]
    drawing.add(value_header, [value for _, value in rows])
    return Chart(title=title, label_header=label_header, value_header=value_header,
                 rows=tuple((label, fmt(value)) for label, value in rows), svg=drawing.render(),
                 width=WIDTH, height=height)


def bar_chart(title: str, rows: Iterable[tuple[str, float]], label_header: str, value_header: str,
              fmt: Callable[[float], str] = plain_number) -> Chart:
    """One horizontal bar per category (long Indonesian labels read better across than up)."""
    rows = list(rows)
    return _chart(pygal.HorizontalBar, title, rows, label_header, value_header,
                  height=max(160, 60 + 32 * len(rows)), fmt=fmt)


def line_chart(title: str, rows: Iterable[tuple[str, float]], label_header: str, value_header: str,
               fmt: Callable[[float], str] = plain_number) -> Chart:
    """A trend over periods, oldest first (months, semesters)."""
    return _chart(pygal.Line, title, rows, label_header, value_header, height=300, fmt=fmt,
                  x_label_rotation=30, dots_size=3)
