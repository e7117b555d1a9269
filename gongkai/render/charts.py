"""Charts of the city report, drawn with matplotlib as SVG (for HTML) and PNG (DOCX, Markdown).

Text is drawn with Noto Sans CJK SC from the font collection the project installs as a
Python dependency (the PyPI package ``noto-cjk-sans-otc``, SIL Open Font License), registered
with matplotlib by its path: charts never depend on the fonts a machine happens to have. Only
if that package is missing is a system font looked for; without any, the charts are still
drawn and a warning says the Chinese labels will not show. Output is deterministic: no dates
in the files, a fixed SVG id salt, and text drawn as paths in the SVG (no browser font
needed).
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

log = logging.getLogger(__name__)

# the bundled collection: (package, file, the face of Simplified Chinese in it)
BUNDLED_FONT = ("noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC")
# system fonts, only when the bundled one is missing
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei",
             "PingFang SC")
BAND_COLOURS = {"优秀": "#1b7f4b", "良好": "#3b78b5", "合格": "#d08b1c", "不合格": "#c0392b"}
INK = "#222222"
GRID = "#d9d9d9"


@dataclass(frozen=True)
class Chart:
    """One chart: a file-friendly name, a Chinese title, and the drawing as SVG and PNG."""

    name: str
    title: str
    svg: str
    png: bytes


class MissingCJKFont(UserWarning):
    """No font with Chinese glyphs was found: chart labels will show as empty boxes."""


def bundled_font_path() -> Path | None:
    """The path of the bundled CJK font collection, or None when its package is missing."""
    package, filename, _ = BUNDLED_FONT
    try:
        path = Path(str(resources.files(package).joinpath(filename)))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The CJK font family the charts use: the bundled one, registered with matplotlib by
    its path; else the first system CJK font; else None (with a warning)."""
    path = bundled_font_path()
    if path is not None:
        font_manager.fontManager.addfont(str(path))  # every face of the collection
        return BUNDLED_FONT[2]
    available = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in available:
            return name
    message = ("no Chinese font found for the charts: the package noto-cjk-sans-otc is not "
               "installed (reinstall gongkai); Chinese labels will not render")
    warnings.warn(message, MissingCJKFont, stacklevel=2)
    log.warning(message)
    return None


def _style() -> dict:
    font = cjk_font()
    family = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    return {
        "font.family": "sans-serif",
        "font.sans-serif": family,
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.edgecolor": "#888888",
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "svg.hashsalt": "gongkai",
        "svg.fonttype": "path",
    }


def _render(fig: Figure, name: str, title: str) -> Chart:
    svg_buf, png_buf = io.StringIO(), io.BytesIO()
    fig.savefig(svg_buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    fig.savefig(png_buf, format="png", dpi=180, metadata={"Software": None},
                bbox_inches="tight")
    return Chart(name=name, title=title, svg=svg_buf.getvalue(), png=png_buf.getvalue())


def _clean_axes(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_axisbelow(True)


def league_chart(groups: list, year: int) -> Chart:
    """Horizontal bars of each unit's composite score, one panel per peer group, by band."""
    with matplotlib.rc_context(_style()):
        heights = [max(len([r for r in g.rows if r.score is not None]), 1) for g in groups]
        fig = Figure(figsize=(7.2, 0.9 + 0.19 * sum(heights) + 0.5 * len(groups)))
        axes = fig.subplots(len(groups), 1, squeeze=False,
                            gridspec_kw={"height_ratios": heights})[:, 0]
        for ax, group in zip(axes, groups, strict=True):
            scored = [r for r in group.rows if r.score is not None]
            names = [f"{r.rank_in_group}. {r.short_name}" for r in scored]
            values = [r.score for r in scored]
            colours = [BAND_COLOURS.get(r.band, "#888888") for r in scored]
            ypos = list(range(len(scored)))[::-1]
            ax.barh(ypos, values, color=colours, height=0.7)
            ax.set_yticks(ypos, names)
            ax.set_ylim(-0.6, max(len(scored), 1) - 0.4)
            ax.set_xlim(0, 105)
            for y, v in zip(ypos, values, strict=True):
                ax.text(v + 0.8, y, f"{v:g}", va="center", fontsize=7.5, color=INK)
            ax.set_title(f"{group.name}（{len(scored)}个）", loc="left", fontsize=10)
            ax.grid(axis="x", color=GRID, linewidth=0.6)
            _clean_axes(ax)
        axes[-1].set_xlabel("综合得分")
        handles = [Patch(color=c, label=b) for b, c in BAND_COLOURS.items()]
        fig.legend(handles=handles, loc="upper right", ncols=4, frameon=False, fontsize=8)
        fig.suptitle(f"{year}年度综合得分排名", x=0.02, ha="left", fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        return _render(fig, "league", f"{year}年度综合得分排名")


def yearly_totals_chart(series: list) -> Chart:
    """City totals by year: new applications and applications handled (bars), reviews and
    suits (line, right axis). A year whose total is blank for every unit has no bar."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(7.2, 3.2))
        ax = fig.subplots()
        years = [r.report_year for r in series]
        x = list(range(len(years)))
        new = [r.applications or 0 for r in series]
        handled = [r.handled or 0 for r in series]
        ax.bar([i - 0.2 for i in x], new, width=0.4, color="#3b78b5", label="本年新收申请")
        ax.bar([i + 0.2 for i in x], handled, width=0.4, color="#9cc3e6", label="办理总数")
        for i, (a, b) in enumerate(zip(new, handled, strict=True)):
            ax.text(i - 0.2, a, f"{a:g}", ha="center", va="bottom", fontsize=7)
            ax.text(i + 0.2, b, f"{b:g}", ha="center", va="bottom", fontsize=7)
        ax.set_xticks(x, [f"{y}年" for y in years])
        ax.set_ylabel("申请（件）")
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        _clean_axes(ax)
        ax2 = ax.twinx()
        reviews = [r.review_total for r in series]
        suits = [r.suit_total for r in series]
        ax2.plot(x, reviews, marker="o", color="#d08b1c", label="行政复议")
        ax2.plot(x, suits, marker="s", color="#c0392b", label="行政诉讼")
        ax2.set_ylabel("复议、诉讼（件）")
        top = max([v for v in reviews + suits if v is not None] or [1])
        ax2.set_ylim(0, max(top * 1.3, 1))
        ax2.spines["top"].set_visible(False)
        lines = ax.get_legend_handles_labels()
        lines2 = ax2.get_legend_handles_labels()
        ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper left", ncols=4,
                  frameon=False, fontsize=8, bbox_to_anchor=(0, 1.12))
        fig.tight_layout()
        return _render(fig, "yearly-totals", "历年全市申请、复议和诉讼数量")


def score_distribution_chart(scores: list[float], bands: tuple[tuple[str, float], ...],
                             year: int) -> Chart:
    """A histogram of the units' composite scores with the band thresholds marked."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(7.2, 2.8))
        ax = fig.subplots()
        edges = list(range(0, 105, 5))
        counts, _, patches = ax.hist(scores, bins=edges, color="#3b78b5", edgecolor="white")
        for minimum_name in bands:
            name, minimum = minimum_name
            if minimum > 0:
                ax.axvline(minimum, color="#888888", linestyle="--", linewidth=0.8)
                ax.text(minimum + 0.5, max(counts.max() if len(counts) else 1, 1) * 0.95,
                        f"{name}≥{minimum:g}", fontsize=7.5, color="#555555", va="top")
        ax.set_xlim(0, 102)
        ax.set_xlabel("综合得分")
        ax.set_ylabel("单位数")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        _clean_axes(ax)
        ax.set_title(f"{year}年度各单位综合得分分布（{len(scores)}个单位）", loc="left", fontsize=10)
        fig.tight_layout()
        return _render(fig, "score-distribution", f"{year}年度综合得分分布")


def outcomes_chart(outcomes: list, year: int) -> Chart:
    """The composition of the year's outcomes as one horizontal stacked bar."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(7.2, 1.5))
        ax = fig.subplots()
        colours = ["#1b7f4b", "#7fbf7b", "#c0392b", "#d08b1c", "#8e6bbf", "#999999"]
        left = 0.0
        total = sum(o.value or 0 for o in outcomes)
        for o, colour in zip(outcomes, colours, strict=False):
            v = o.value or 0
            ax.barh([0], [v], left=left, color=colour, label=f"{o.outcome_name} {v:g}")
            if total and v / total > 0.06:
                ax.text(left + v / 2, 0, f"{v / total:.0%}", ha="center", va="center",
                        color="white", fontsize=8)
            left += v
        ax.set_yticks([])
        ax.set_xlim(0, max(total, 1))
        ax.set_xlabel("件")
        _clean_axes(ax)
        ax.spines["left"].set_visible(False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.55), ncols=6, frameon=False,
                  fontsize=7.5)
        fig.tight_layout()
        return _render(fig, "outcomes", f"{year}年度申请办理结果构成")
