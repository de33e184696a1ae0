"""Charts as SVG (matplotlib, no pyplot: safe in a multi-threaded server), embedded as
data URIs so the page and the WeasyPrint PDF show the same picture."""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vanban.reports.numbers import vn_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BLUE = "#1f5fa8"  # the report's first series; tests look for it in the rendered PDF
ORANGE = "#d9822b"
GREY = "#8a8f98"
PALETTE = (BLUE, ORANGE, GREY, "#3c9a5f", "#b03a48")


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    width_cm: float = 16.0

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode("ascii")


def _figure(width: float, height: float) -> Figure:
    """matplotlib is loaded with the first chart, not at import: every `vanban` command loads the
    URL configuration for its system checks, and matplotlib's font manager alone costs a second."""
    import matplotlib as mpl  # noqa: PLC0415 - matplotlib is slow to import; only charts need it
    from matplotlib.figure import Figure  # noqa: PLC0415 - matplotlib is slow to import; only charts need it

    mpl.rcParams.update({"svg.hashsalt": "vanban", "font.family": "DejaVu Sans", "font.size": 9,
                         "axes.spines.top": False, "axes.spines.right": False})
    return Figure(figsize=(width, height))


def _render(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()


def bars(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]], *,
         horizontal: bool = False, width: float = 7.0, height: float = 3.0) -> Chart:
    """Grouped bars, one colour per series, each bar labelled with its value. The same figures
    give the same picture, so it is drawn once per process (a dashboard opened again while its
    figures have not changed costs no matplotlib time: ~0.2 s a chart)."""
    return _bars(title, tuple(labels), tuple((name, tuple(values)) for name, values in series.items()),
                 horizontal=horizontal, width=width, height=height)


@functools.lru_cache(maxsize=256)
def _bars(title: str, labels: tuple[str, ...], series_items: tuple[tuple[str, tuple[int, ...]], ...],
          *, horizontal: bool, width: float, height: float) -> Chart:
    from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: PLC0415 - matplotlib is slow to import; only charts need it

    series = dict(series_items)

    fig = _figure(width, height)
    ax = fig.add_subplot()
    count = max(1, len(series))
    step = 0.8 / count
    positions = list(range(len(labels)))
    for n, (name, values) in enumerate(series.items()):
        offsets = [p - 0.4 + step * (n + 0.5) for p in positions]
        draw = ax.barh if horizontal else ax.bar
        drawn = draw(offsets, list(values), step * 0.9, label=name, color=PALETTE[n % len(PALETTE)])
        ax.bar_label(drawn, labels=[vn_int(v) if v else "" for v in values], fontsize=7, padding=2)
    # Counts of documents: whole numbers on the value axis, written the Vietnamese way (1.234).
    value_axis = ax.xaxis if horizontal else ax.yaxis
    value_axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    value_axis.set_major_formatter(FuncFormatter(lambda v, _pos: vn_int(int(v))))
    if horizontal:
        ax.set_yticks(positions, list(labels))
        ax.invert_yaxis()
    else:
        ax.set_xticks(positions, list(labels), rotation=0 if len(labels) <= 6 else 30,
                      ha="center" if len(labels) <= 6 else "right")
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=8)
    ax.set_title(title, fontsize=10)
    return Chart(title, _render(fig), round(min(width, 6.3) * 2.54, 1))


def pie(title: str, parts: dict[str, int]) -> Chart:
    fig = _figure(3.6, 3.0)
    ax = fig.add_subplot()
    shown = {k: v for k, v in parts.items() if v}
    if shown:
        ax.pie(list(shown.values()), labels=[f"{k}: {vn_int(v)}" for k, v in shown.items()],
               colors=PALETTE[:len(shown)], startangle=90, counterclock=False, textprops={"fontsize": 8})
    else:
        ax.text(0.5, 0.5, "Không có số liệu", ha="center", va="center")
        ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    return Chart(title, _render(fig), 9.0)
