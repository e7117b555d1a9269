"""The parsed report: what every reader produces and everything downstream consumes.

A ``ParsedReport`` is plain data (JSON-ready through ``to_json``): metadata, one value per
cell code of the detected template (``None`` = blank or not seen), where each value came
from, the six sections' text, the figures stated in the narrative, and parse issues.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# a new version makes the next run read every file again (the warehouse keeps what this
# version of the readers gives, e.g. each cell's confidence since 1.1.1, a township name
# shared by several counties placed by its filing since 1.1.2)
READER_VERSION = "1.1.2"

SEVERITIES = ("error", "warning", "info")


@dataclass
class Refusal(Exception):
    """A file a reader refuses (over a cap, an unsafe archive, a failed conversion): a stable
    issue code and a bilingual message; ``str()`` is the English one."""

    code: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return self.message_en


@dataclass
class Issue:
    """A parse issue as data: a stable code, severity, bilingual message, and location."""

    code: str
    severity: str
    message_zh: str
    message_en: str
    location: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The issue as a JSON-ready dict."""
        return asdict(self)


CONFIDENCES = ("read", "inferred")


@dataclass(slots=True)  # (no instance dictionary: a report makes one a cell)
class CellSource:
    """Where a cell's value came from: the raw text and its location in the file.

    ``location`` reads ``line 42`` (text), ``line 42 col 3`` (delimited rows),
    ``table 2 row 5 col 3`` (HTML, DOCX, PDF tables) or ``sheet t3 cell C7`` (XLSX).
    ``status`` is ``value`` (a number was read), ``blank`` (the cell is visibly empty:
    blank, '/', '-', '无' …) or ``unreadable`` (text that is not a number).
    ``confidence`` is ``read`` when the value stood with its row label in the table's own
    layout, ``inferred`` when the reader placed it by the template's row order or chose its
    place with the table's own sums; ``reason`` then says how.
    """

    raw: str
    location: str
    status: str = "value"
    note: str | None = None
    confidence: str = "read"
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The source as a JSON-ready dict (``note`` and ``reason`` only when present)."""
        d = {"raw": self.raw, "location": self.location, "status": self.status,
             "confidence": self.confidence}
        if self.note:
            d["note"] = self.note
        if self.reason:
            d["reason"] = self.reason
        return d


@dataclass
class NarrativeFigure:
    """A figure the narrative states (e.g. 本年新收…N件) and what it compares with."""

    phrase: str
    value: float
    compared_with: str  # an expression over cell codes, e.g. "t3.new.total + t3.carried_in.total"
    location: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The figure as a JSON-ready dict."""
        return asdict(self)


@dataclass
class ParsedReport:
    """One report as read from one file."""

    file: str
    format: str  # text, markdown, html, docx, xlsx, pdf
    encoding: str | None = None
    unit_name: str | None = None  # as printed
    unit_code: str | None = None  # registry code, or None when unknown
    year: int | None = None
    template: str | None = None  # detected from the labels: v2019 / v2021
    published: str | None = None  # ISO date
    cells: dict[str, float | int | None] = field(default_factory=dict)
    sources: dict[str, CellSource] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)  # s1..s6 → text
    section_order: list[str] = field(default_factory=list)  # codes in order of appearance
    narrative_figures: list[NarrativeFigure] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    title: str | None = None
    reader_version: str = READER_VERSION

    def add_issue(self, code: str, severity: str, zh: str, en: str, location: str | None = None):
        """Record a parse issue."""
        self.issues.append(Issue(code, severity, zh, en, location))

    @property
    def is_readable(self) -> bool:
        """False when the file yielded no table cell at all (an error issue says why)."""
        return any(v is not None for v in self.cells.values()) or any(
            s.status != "value" for s in self.sources.values()
        )

    def to_json(self) -> dict[str, Any]:
        """The report as the JSON object printed by ``gongkai parse --json``."""
        return {
            "file": self.file,
            "format": self.format,
            "encoding": self.encoding,
            "unit": {"name": self.unit_name, "code": self.unit_code},
            "year": self.year,
            "template": self.template,
            "published": self.published,
            "title": self.title,
            "cells": dict(self.cells),
            "sources": {k: v.to_json() for k, v in self.sources.items()},
            "sections": dict(self.sections),
            "section_order": list(self.section_order),
            "narrative_figures": [f.to_json() for f in self.narrative_figures],
            "issues": [i.to_json() for i in self.issues],
            "reader_version": self.reader_version,
        }
