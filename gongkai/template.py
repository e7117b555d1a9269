"""The national report template (v2019, v2021) as data, with the cell codes.

The cell codes (``t3.new.natural``, ``t4.review.total`` …) are the one vocabulary shared by
the readers, the warehouse, the checks and the reports.  This module loads
``gongkai/data/template.yaml`` (a copy of the project's template spec) and exposes it as
plain, ordered structures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

VERSIONS = ("v2019", "v2021")


def _as_list(value) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


@lru_cache(maxsize=1)
def spec() -> dict:
    """The raw template spec as loaded from the package's YAML file."""
    text = resources.files("gongkai.data").joinpath("template.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


# the column and block codes of tables 三 and 四, in the template's order (both versions)
T3_COLS: tuple[str, ...] = tuple(spec()["t3"]["cols"])
T4_COLS: tuple[str, ...] = tuple(spec()["t4"]["cols"])
T4_BLOCKS: tuple[str, ...] = tuple(spec()["t4"]["blocks"])
T3_WIDTH = len(T3_COLS)  # values in a row of table 三
T4_WIDTH = len(T4_COLS)  # values in a block of table 四
T4_CELLS = len(T4_BLOCKS) * T4_WIDTH  # table 四 printed as one row


@dataclass(frozen=True)
class Row:
    """A row of a table: its code (``new``, ``denied.state_secret`` …) and label variants."""

    code: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    """A column of a table: its code (``natural``, ``decisions`` …) and label variants."""

    code: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class T2Block:
    """One block of table 二 (a 第二十条 item) with its rows and columns."""

    item: str
    rows: tuple[Row, ...]
    cols: tuple[Column, ...]


@dataclass(frozen=True)
class Template:
    """One version of the template: every table, row, column and the ordered cell codes."""

    version: str
    t2_blocks: tuple[T2Block, ...]
    t3_rows: tuple[Row, ...]
    t3_cols: tuple[Column, ...]
    t4_blocks: tuple[Row, ...]
    t4_cols: tuple[Column, ...]
    sections: tuple[Row, ...]
    cell_codes: tuple[str, ...] = field(default=())

    def t2_codes(self) -> list[str]:
        """Cell codes of table 二 in template order."""
        return [f"t2.{r.code}.{c.code}" for b in self.t2_blocks for r in b.rows for c in b.cols]

    def t3_codes(self) -> list[str]:
        """Cell codes of table 三 in template order (row by row)."""
        return [f"t3.{r.code}.{c.code}" for r in self.t3_rows for c in self.t3_cols]

    def t4_codes(self) -> list[str]:
        """Cell codes of table 四 in template order (block by block)."""
        return [f"t4.{b.code}.{c.code}" for b in self.t4_blocks for c in self.t4_cols]

    def table_of(self, code: str) -> str:
        """The table (``t2``, ``t3``, ``t4``) a cell code belongs to."""
        return code.split(".", 1)[0]

    def is_money(self, code: str) -> bool:
        """True for cells in 万元 (procurement amount, fee amount)."""
        return code in spec()["money_cells"]


@lru_cache(maxsize=4)
def get(version: str) -> Template:
    """The template of one version (``v2019`` or ``v2021``)."""
    if version not in VERSIONS:
        raise ValueError(f"unknown template version {version!r}; expected one of {VERSIONS}")
    raw = spec()
    blocks = []
    for b in raw["t2"][version]["blocks"]:
        rows = tuple(Row(code, tuple(_as_list(lab))) for code, lab in b["rows"].items())
        cols = tuple(Column(code, tuple(_as_list(lab))) for code, lab in b["cols"].items())
        blocks.append(T2Block(b["item"], rows, cols))
    t3_rows = []
    for code, lab in raw["t3"]["rows"].items():
        if isinstance(lab, dict):
            if lab.get("v2021_only") and version != "v2021":
                continue
            if lab.get("v2019_only") and version != "v2019":
                continue
            lab = lab["label"]
        t3_rows.append(Row(code, tuple(_as_list(lab))))
    t3_cols = tuple(Column(code, tuple(_as_list(lab))) for code, lab in raw["t3"]["cols"].items())
    t4_blocks = tuple(Row(code, tuple(_as_list(lab))) for code, lab in raw["t4"]["blocks"].items())
    t4_cols = tuple(Column(code, tuple(_as_list(lab))) for code, lab in raw["t4"]["cols"].items())
    sections = tuple(Row(s["code"], tuple(s["labels"])) for s in raw["sections"])
    tpl = Template(version, tuple(blocks), tuple(t3_rows), t3_cols, t4_blocks, t4_cols, sections)
    codes = tuple(tpl.t2_codes() + tpl.t3_codes() + tpl.t4_codes())
    return Template(version, tpl.t2_blocks, tpl.t3_rows, tpl.t3_cols, tpl.t4_blocks, tpl.t4_cols,
                    tpl.sections, codes)


@dataclass(frozen=True)
class Sum:
    """One identity of a table: the cells of ``total`` add up to the cells of ``parts``."""

    id: str  # the rule it is (T3-ROWSUM …)
    total: tuple[str, ...]
    parts: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """Every cell the identity involves."""
        return self.total + self.parts


def _expand(rows: list[str], names: list[str]) -> list[str]:
    """Row codes for names where ``group.*`` stands for the group's rows (in template order)."""
    out = []
    for name in names:
        if name.endswith(".*"):
            out += [r for r in rows if r.startswith(name[:-1])]
        elif name in rows:
            out.append(name)
    return out


@lru_cache(maxsize=4)
def sums(version: str) -> tuple[Sum, ...]:
    """The tables' own identities in one version, as sums over cell codes."""
    t = get(version)
    rows = [r.code for r in t.t3_rows]
    out: list[Sum] = []
    for s in spec()["sums"]:
        table, each = s["table"], s["each"]
        if table == "t3" and each == "row":
            for r in rows:
                out.append(Sum(s["id"], tuple(f"t3.{r}.{c}" for c in s["total"]),
                               tuple(f"t3.{r}.{c}" for c in s["parts"])))
        elif table == "t3" and each == "col":
            total, parts = _expand(rows, s["total"]), _expand(rows, s["parts"])
            for c in T3_COLS:
                out.append(Sum(s["id"], tuple(f"t3.{r}.{c}" for r in total),
                               tuple(f"t3.{r}.{c}" for r in parts)))
        elif table == "t4" and each == "block":
            for b in T4_BLOCKS:
                out.append(Sum(s["id"], tuple(f"t4.{b}.{c}" for c in s["total"]),
                               tuple(f"t4.{b}.{c}" for c in s["parts"])))
        else:  # pragma: no cover - the spec is part of the package
            raise ValueError(f"unknown sum shape in the template spec: {s}")
    return tuple(out)


def t3_groups() -> tuple[Row, ...]:
    """Table 三's row-spanning group labels (三、本年度办理结果, （三）不予公开 …), by group code."""
    return tuple(Row(code, tuple(_as_list(lab))) for code, lab in spec()["t3"]["groups"].items())


def header_words(table: str) -> dict[str, str]:
    """Words of a table's header rows that are not column labels (``t2``: the block caption and
    the corner cell 信息内容; ``t3``: 申请人情况, 法人或其他组织, the identity note)."""
    return dict(spec()[table]["header"])


def version_for_year(year: int | None) -> str | None:
    """The template version in force for a report year (v2019 for 2019–2020, v2021 after)."""
    if year is None:
        return None
    return "v2019" if year <= 2020 else "v2021"


def all_codes() -> list[str]:
    """Every cell code of either version, without repeats, in template order."""
    seen: dict[str, None] = {}
    for v in VERSIONS:
        for c in get(v).cell_codes:
            seen.setdefault(c)
    return list(seen)


@lru_cache(maxsize=1)
def cell_labels() -> dict[str, tuple[str, str]]:
    """Cell code → (row label, column label), the first label of each, from both versions (the
    wording of a finding and the warehouse's cell_codes table say a cell the same way)."""
    out: dict[str, tuple[str, str]] = {}
    for version in VERSIONS:
        t = get(version)
        for block in t.t2_blocks:
            for row in block.rows:
                for col in block.cols:
                    out.setdefault(f"t2.{row.code}.{col.code}", (row.labels[0], col.labels[0]))
        for table, rows, cols in (("t3", t.t3_rows, t.t3_cols), ("t4", t.t4_blocks, t.t4_cols)):
            for row in rows:
                for col in cols:
                    out.setdefault(f"{table}.{row.code}.{col.code}", (row.labels[0], col.labels[0]))
    return out


def split_code(code: str) -> tuple[str, str, str]:
    """``t3.denied.state_secret.natural`` → (``t3``, ``denied.state_secret``, ``natural``)."""
    parts = code.split(".")
    return parts[0], ".".join(parts[1:-1]), parts[-1]
