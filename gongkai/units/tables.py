"""The registry as warehouse rows: units, their periods and their changes.

``gongkai.warehouse.schema.store_registry`` replaces three tables with these rows (schema in
``sql/schema/unit_registry.sql``):

- ``units``: one row per code with its latest name and type (the table the marts join today);
- ``unit_periods``: every registry row, so each report year finds its unit's name and peer
  group of that year (view ``v_unit_years``);
- ``unit_changes``: renames, merges, splits and reclassifications, each with its year.

Rows are mappings of column → value; ``insert_rows`` hands them to DuckDB as Arrow tables
typed by the tables' own columns (nothing is formatted into SQL).
"""

from __future__ import annotations

from dataclasses import asdict, fields

import duckdb

from gongkai.units.registry import Registry, Unit
from gongkai.warehouse.rows import renamed


def _join(values) -> str | None:
    return ";".join(values) or None


def unit_record(u: Unit) -> dict:
    """A registry row as the columns of ``units`` and ``unit_periods`` (each table takes the
    columns it has; a blank text is null)."""
    # the fields read one by one (dataclasses.asdict copies every value deeply: 2.5 s for a
    # registry of 40,000 units, read again by every run)
    record = {column: getattr(u, name) or None for name, column in _UNIT_FIELDS}
    return {**record, "valid_from": u.valid_from, "valid_to": u.valid_to,
            "peer_group": u.peer_group, "aliases": _join(u.aliases),
            "successors": _join(u.successors)}


# Unit's fields as the columns of units and unit_periods (the others have the column's name)
_UNIT_COLUMNS = {"code": "unit_code", "type": "unit_type", "line": "registry_line"}
_UNIT_FIELDS = tuple((f.name, _UNIT_COLUMNS.get(f.name, f.name)) for f in fields(Unit))


def unit_rows(registry: Registry) -> list[dict]:
    """``units``: one row per code, its latest row, ordered by code."""
    return [unit_record(u) for u in sorted(registry.units, key=lambda u: u.code)]


def period_rows(registry: Registry) -> list[dict]:
    """``unit_periods``: every registry row, ordered by code and period."""
    return [unit_record(u)
            for u in sorted(registry.periods, key=lambda u: (u.code, u.valid_from or 0))]


def change_rows(registry: Registry) -> list[dict]:
    """``unit_changes``: every change, ordered by year and codes."""
    return [renamed(asdict(c), {"year": "change_year", "kind": "change_kind"})
            for c in registry.changes]


def stored_units_differ(registry: Registry, warehouse) -> list[str]:
    """Codes whose stored ``units`` row (read-only) differs from the registry in name, type or
    period, or that only one of them has; sorted."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        stored = {code: (name, unit_type, valid_from, valid_to) for code, name, unit_type,
                  valid_from, valid_to in con.execute(
                      "select unit_code, name, unit_type, valid_from, valid_to from units"
                  ).fetchall()}
    finally:
        con.close()
    wanted = {u.code: (u.name, u.type or None, u.valid_from, u.valid_to) for u in registry.units}
    return sorted(code for code in stored.keys() | wanted.keys()
                  if stored.get(code) != wanted.get(code))
