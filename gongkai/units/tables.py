"""The registry as warehouse rows: units, their periods and their changes.

``gongkai.warehouse.schema.store_registry`` replaces three tables with these rows (schema in
``sql/schema/unit_registry.sql``):

- ``units``: one row per code with its latest name and type (the table the marts join today);
- ``unit_periods``: every registry row, so each report year finds its unit's name and peer
  group of that year (view ``v_unit_years``);
- ``unit_changes``: renames, merges, splits and reclassifications, each with its year.

Rows go to DuckDB as Arrow tables; nothing is formatted into SQL.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from gongkai.units.registry import Registry


def _join(values) -> str | None:
    return ";".join(values) or None


def unit_rows(registry: Registry) -> pa.Table:
    """``units``: one row per code, its latest row, ordered by code."""
    units = sorted(registry.units, key=lambda u: u.code)
    return pa.table({
        "unit_code": pa.array([u.code for u in units], pa.string()),
        "name": pa.array([u.name for u in units], pa.string()),
        "short_name": pa.array([u.short_name or None for u in units], pa.string()),
        "unit_type": pa.array([u.type or None for u in units], pa.string()),
        "peer_group": pa.array([u.peer_group for u in units], pa.string()),
        "city": pa.array([u.city or None for u in units], pa.string()),
        "valid_from": pa.array([u.valid_from for u in units], pa.int32()),
        "valid_to": pa.array([u.valid_to for u in units], pa.int32()),
        "aliases": pa.array([_join(u.aliases) for u in units], pa.string()),
        "note": pa.array([u.note or None for u in units], pa.string()),
        "province": pa.array([u.province or None for u in units], pa.string()),
        "prefecture": pa.array([u.prefecture or None for u in units], pa.string()),
    })


def period_rows(registry: Registry) -> pa.Table:
    """``unit_periods``: every registry row, ordered by code and period."""
    rows = sorted(registry.periods, key=lambda u: (u.code, u.valid_from or 0))
    return pa.table({
        "unit_code": pa.array([u.code for u in rows], pa.string()),
        "valid_from": pa.array([u.valid_from for u in rows], pa.int32()),
        "valid_to": pa.array([u.valid_to for u in rows], pa.int32()),
        "name": pa.array([u.name for u in rows], pa.string()),
        "short_name": pa.array([u.short_name or None for u in rows], pa.string()),
        "unit_type": pa.array([u.type for u in rows], pa.string()),
        "peer_group": pa.array([u.peer_group for u in rows], pa.string()),
        "city": pa.array([u.city or None for u in rows], pa.string()),
        "prefecture": pa.array([u.prefecture or None for u in rows], pa.string()),
        "province": pa.array([u.province or None for u in rows], pa.string()),
        "aliases": pa.array([_join(u.aliases) for u in rows], pa.string()),
        "successors": pa.array([_join(u.successors) for u in rows], pa.string()),
        "registry_line": pa.array([u.line or None for u in rows], pa.int32()),
    })


def change_rows(registry: Registry) -> pa.Table:
    """``unit_changes``: every change, ordered by year and codes."""
    changes = registry.changes
    return pa.table({
        "change_year": pa.array([c.year for c in changes], pa.int32()),
        "change_kind": pa.array([c.kind for c in changes], pa.string()),
        "from_code": pa.array([c.from_code for c in changes], pa.string()),
        "from_name": pa.array([c.from_name for c in changes], pa.string()),
        "to_code": pa.array([c.to_code for c in changes], pa.string()),
        "to_name": pa.array([c.to_name for c in changes], pa.string()),
    })


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
