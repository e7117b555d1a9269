"""Validating a registry file: every problem with its file, line and column, zh + en.

Row by row (``parse_rows``): required columns and values, the code's characters, the unit
type, years that are four-digit years, a period that does not run backwards, successor codes
only on a unit that ends. Across rows (``validate``): a code twice for the same years,
periods of one code that overlap, successors that are not in the registry or not live the
year after the unit ends (a warning when the successor starts before the unit ends: both
would be expected to report), and a name or alias that two live units of one city share.

Because a successor must be live in the year after its predecessor ends, every step along
a chain of successors moves forward in time: a chain cannot loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from gongkai.units.registry import UNIT_TYPES, Unit, normalize_name

REQUIRED = ("code", "name", "type")
OPTIONAL = ("short_name", "city", "valid_from", "valid_to", "aliases", "note", "province",
            "prefecture", "successor")
COLUMN_ALIASES = {"successors": "successor"}
CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]*")
LIST_SEPARATORS = re.compile(r"[;；]")
FIRST_YEAR, LAST_YEAR = 1949, 2100


@dataclass(frozen=True)
class Problem:
    """One problem of a registry file."""

    file: str
    line: int
    column: str | None
    code: str  # duplicate_code, overlapping_validity, unknown_successor, …
    severity: str  # error / warning
    message_zh: str
    message_en: str

    @classmethod
    def file_level(cls, file: str, code: str, zh: str, en: str) -> Problem:
        """A problem of the file as a whole (line 0)."""
        return cls(file, 0, None, code, "error", zh, en)

    def sort_key(self) -> tuple:
        """Problems in file order."""
        return (self.file, self.line, self.column or "", self.code, self.message_en)

    def where_zh(self) -> str:
        """``liuyang.csv 第 5 行 valid_to 列``."""
        parts = [self.file]
        if self.line:
            parts.append(f"第 {self.line} 行")
        if self.column:
            parts.append(f"{self.column} 列")
        return " ".join(parts)

    def where_en(self) -> str:
        """``liuyang.csv line 5, column valid_to``."""
        out = self.file
        if self.line:
            out += f" line {self.line}"
        if self.column:
            out += f", column {self.column}"
        return out

    def text(self) -> str:
        """Two lines: the problem in Chinese, then in English."""
        zh_sev = "错误" if self.severity == "error" else "提醒"  # as every report words it
        return (f"{self.where_zh()}：{zh_sev}：{self.message_zh}\n"
                f"{self.where_en()}: {self.severity}: {self.message_en} [{self.code}]")

    def to_json(self) -> dict:
        """The problem as a JSON-ready dict."""
        return {"file": self.file, "line": self.line, "column": self.column, "code": self.code,
                "severity": self.severity, "message_zh": self.message_zh,
                "message_en": self.message_en}


class RegistryError(ValueError):
    """A registry file with errors; ``problems`` lists each of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(p.text() for p in problems[:10])
        more = f"\n… and {len(problems) - 10} more" if len(problems) > 10 else ""
        super().__init__(f"the unit registry has {len(problems)} error(s):\n{shown}{more}")


def _split_list(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    if ";" not in text and "；" not in text:
        return (text,)
    return tuple(p.strip() for p in LIST_SEPARATORS.split(text) if p.strip())


class _RowReader:
    """Builds Units from the rows of one file and collects the row-level problems."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def error(self, line: int, column: str | None, code: str, zh: str, en: str,
              severity: str = "error") -> None:
        self.problems.append(Problem(self.file, line, column, code, severity, zh, en))

    def year(self, line: int, column: str, text: str) -> int | None:
        if not text:
            return None
        if len(text) == 4 and text.isascii() and text.isdigit() and (
                FIRST_YEAR <= int(text) <= LAST_YEAR):
            return int(text)
        self.error(line, column, "malformed_year",
                   f"“{text}”不是 {FIRST_YEAR}–{LAST_YEAR} 之间的四位年份（不限则留空）",
                   f"{text!r} is not a four-digit year between {FIRST_YEAR} and {LAST_YEAR} "
                   "(leave it blank for no bound)")
        return None

    def unit(self, line: int, rec: dict[str, str]) -> Unit | None:
        code, name, kind = rec.get("code", ""), rec.get("name", ""), rec.get("type", "")
        ok = True
        for column, value in (("code", code), ("name", name)):
            if not value:
                self.error(line, column, "missing_value", f"{column} 不能为空",
                           f"{column} must not be blank")
                ok = False
        if code and not CODE.fullmatch(code):
            self.error(line, "code", "bad_code",
                       f"单位代码“{code}”只能由字母、数字和 _ . - 组成",
                       f"the unit code {code!r} may hold only letters, digits and _ . -")
            ok = False
        if not kind:
            self.error(line, "type", "missing_value",
                       f"type 不能为空（{'、'.join(UNIT_TYPES)}；决定排名分组）",
                       f"type must not be blank ({', '.join(UNIT_TYPES)}; it decides the "
                       "ranking peer group)")
        elif kind not in UNIT_TYPES:
            self.error(line, "type", "unknown_type",
                       f"类型“{kind}”不是乡级单位类型（{'、'.join(UNIT_TYPES)}）",
                       f"the type {kind!r} is not a township-level unit type "
                       f"({', '.join(UNIT_TYPES)})")
        valid_from = self.year(line, "valid_from", rec.get("valid_from", ""))
        valid_to = self.year(line, "valid_to", rec.get("valid_to", ""))
        if valid_from and valid_to and valid_to < valid_from:
            self.error(line, "valid_to", "inverted_validity",
                       f"有效期止于 {valid_to} 年，早于起始年 {valid_from}",
                       f"the period ends in {valid_to}, before it starts in {valid_from}")
        successors = _split_list(rec.get("successor", ""))
        for s in successors:
            if not CODE.fullmatch(s):
                self.error(line, "successor", "bad_code", f"承继单位代码“{s}”格式不对",
                           f"the successor code {s!r} is not a unit code")
            elif s == code:
                self.error(line, "successor", "self_successor",
                           f"单位 {code} 不能承继自身（同一代码改名请另起一行、写明新的有效期）",
                           f"unit {code} cannot succeed itself (to rename keeping the code, "
                           "add a second row with the same code and its own period)")
        if successors and not rec.get("valid_to", "").strip():
            self.error(line, "successor", "successor_without_end",
                       "填写了承继单位，但 valid_to 为空：单位撤销的最后一年须写明",
                       "a successor is given but valid_to is blank: give the last year of "
                       "the unit")
        if not ok:
            return None
        return Unit(code=code, name=name, short_name=rec.get("short_name", ""), type=kind,
                    city=rec.get("city", ""), valid_from=valid_from, valid_to=valid_to,
                    aliases=_split_list(rec.get("aliases", "")), note=rec.get("note", ""),
                    province=rec.get("province", ""), prefecture=rec.get("prefecture", ""),
                    successors=successors, line=line)


def parse_rows(file: str, rows: Iterator[list[str]]) -> tuple[list[Unit], list[Problem]]:
    """Units from CSV rows (header first) and the problems of the header and each row."""
    reader = _RowReader(file)
    try:
        header_row = next(rows)
    except StopIteration:
        return [], [Problem.file_level(file, "empty_file", "名录文件为空",
                                       "the registry file is empty")]
    header = [COLUMN_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header_row]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        reader.error(1, None, "missing_column", f"缺少必需的列：{', '.join(missing)}",
                     f"required column(s) missing: {', '.join(missing)}")
        return [], reader.problems
    for i, name in enumerate(header):
        if name not in REQUIRED and name not in OPTIONAL:
            reader.error(1, name or f"#{i + 1}", "unknown_column",
                         f"未知的列“{name}”，将被忽略", f"unknown column {name!r} is ignored",
                         severity="warning")
        elif header.index(name) != i:
            reader.error(1, name, "duplicate_column", f"列“{name}”出现两次",
                         f"the column {name!r} appears twice")
    units: list[Unit] = []
    line = 1
    for raw in rows:
        line = getattr(rows, "line_num", line + 1)
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) > len(header):
            reader.error(line, None, "extra_fields",
                         f"本行有 {len(raw)} 个字段，多于表头的 {len(header)} 列（多了逗号？）",
                         f"the row has {len(raw)} fields, more than the {len(header)} "
                         "columns of the header (a stray comma?)")
            continue
        rec = dict(zip(header, map(str.strip, raw), strict=False))
        unit = reader.unit(line, rec)
        if unit is not None:
            units.append(unit)
    return units, reader.problems


def _overlap(a: Unit, b: Unit) -> tuple[int, int] | None:
    """The years two periods share (None when they are separate)."""
    first = max(a.valid_from or 0, b.valid_from or 0)
    last = min(a.valid_to or 9999, b.valid_to or 9999)
    return (first, last) if first <= last else None


def _years(span: tuple[int, int]) -> str:
    first, last = span
    first_text = str(first) if first else "…"
    last_text = str(last) if last != 9999 else "…"
    return first_text if first_text == last_text else f"{first_text}–{last_text}"


def validate(file: str, units: list[Unit]) -> list[Problem]:
    """The problems across rows: codes, periods, successors and shared names."""
    out: list[Problem] = []

    def error(u: Unit, column: str | None, code: str, zh: str, en: str) -> None:
        out.append(Problem(file, u.line, column, code, "error", zh, en))

    by_code: dict[str, list[Unit]] = {}
    for u in units:
        by_code.setdefault(u.code, []).append(u)
    for code, rows in by_code.items():
        for a, b in combinations(rows, 2):
            if a.valid_from == b.valid_from:
                error(b, "code", "duplicate_code",
                      f"单位代码 {code} 重复：第 {a.line} 行已有（起始年相同）",
                      f"the unit code {code} appears again: line {a.line} has it already "
                      "(same first year)")
            elif (span := _overlap(a, b)) is not None:
                error(b, "valid_from", "overlapping_validity",
                      f"单位代码 {code} 的有效期 {b.period} 与第 {a.line} 行的 {a.period} "
                      f"在 {_years(span)} 年重叠（同一代码的多行须各占不同年份）",
                      f"the period {b.period} of unit code {code} overlaps the period "
                      f"{a.period} of line {a.line} in {_years(span)} (rows of one code "
                      "must cover separate years)")

    for u in units:
        if u.valid_to is None:
            continue
        year = u.valid_to + 1
        for s in u.successors:
            if s == u.code:
                continue
            rows = by_code.get(s)
            if rows is None:
                error(u, "successor", "unknown_successor",
                      f"承继单位代码 {s} 不在名录中", f"the successor code {s} is not in the "
                      "registry")
            elif not any(r.is_valid_in(year) for r in rows):
                periods = ", ".join(r.period for r in rows)
                error(u, "successor", "successor_not_live",
                      f"承继单位 {s}（有效期 {periods}）在 {year} 年（本单位止于 {u.valid_to} "
                      "年的次年）不在有效期内",
                      f"the successor {s} (period {periods}) is not valid in {year}, the year "
                      f"after this unit ends ({u.valid_to})")
            elif early := [r for r in rows if r.valid_from is not None
                           and (u.valid_from or 0) < r.valid_from <= u.valid_to]:
                # a new unit that starts before the one it replaces ends: both are expected
                # to report in the years between, and one of them is listed as 未报送
                r = early[0]
                out.append(Problem(
                    file, u.line, "valid_to", "successor_starts_early", "warning",
                    f"承继单位 {s} 自 {r.valid_from} 年起有效，本单位止于 {u.valid_to} 年："
                    f"{_years((r.valid_from, u.valid_to))} 年两者都应报送，请核对起止年份",
                    f"the successor {s} starts in {r.valid_from} while this unit ends in "
                    f"{u.valid_to}: both are expected to report in "
                    f"{_years((r.valid_from, u.valid_to))}; check the years"))

    out += _name_clashes(file, units)
    return out


def _names_of(u: Unit) -> Iterable[str]:
    seen = set()
    for name in (u.name, *u.aliases):
        key = normalize_name(name)
        if key and key not in seen:
            seen.add(key)
            yield key


def _name_clashes(file: str, units: list[Unit]) -> list[Problem]:
    """A name or alias shared by two codes of one city whose periods overlap."""
    holders: dict[tuple[str, str], list[Unit]] = {}
    for u in units:
        for key in _names_of(u):
            holders.setdefault((normalize_name(u.city), key), []).append(u)
    out: list[Problem] = []
    reported: set[tuple[str, str, str]] = set()
    for (_, key), group in holders.items():
        if len(group) < 2:
            continue
        for a, b in combinations(group, 2):
            if a.code == b.code or (key, a.code, b.code) in reported:
                continue
            span = _overlap(a, b)
            if span is None:
                continue
            reported.add((key, a.code, b.code))
            out.append(Problem(
                file, b.line, "aliases" if normalize_name(b.name) != key else "name",
                "name_clash", "error",
                f"名称“{key}”同时属于两个有效单位：{a.code}（第 {a.line} 行）与 {b.code}，"
                f"{_years(span)} 年重叠；报告中的这个名称无法确定单位",
                f"the name {key} belongs to two live units, {a.code} (line {a.line}) and "
                f"{b.code}, in {_years(span)}: a report naming it cannot be placed"))
    return out
