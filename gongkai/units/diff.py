"""What changed between two registry files: units added and removed, renamed, merged, split,
and other changes of a unit's row (type, period, aliases, place)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.units.registry import Registry, Unit, UnitChange

COMPARED = (("name", "name"), ("type", "type"), ("city", "city"), ("period", "period"),
            ("aliases", "aliases"), ("successors", "successor"), ("short_name", "short_name"),
            ("prefecture", "prefecture"), ("province", "province"))


@dataclass
class RegistryDiff:
    """The differences from registry A to registry B."""

    added: list[Unit] = field(default_factory=list)
    removed: list[Unit] = field(default_factory=list)
    renamed: list[tuple[Unit, Unit]] = field(default_factory=list)  # same code, new name
    new_changes: list[UnitChange] = field(default_factory=list)      # rename/merge/split links
    dropped_changes: list[UnitChange] = field(default_factory=list)
    changed: list[tuple[Unit, Unit, list[str]]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Whether the two registries hold the same units and changes."""
        return not (self.added or self.removed or self.renamed or self.new_changes
                    or self.dropped_changes or self.changed)

    def of_kind(self, kind: str) -> list[UnitChange]:
        """The new changes of one kind (rename, merge, split, reclassify)."""
        return [c for c in self.new_changes if c.kind == kind]

    def to_json(self) -> dict:
        """The differences as JSON-ready data."""
        def unit(u: Unit) -> dict:
            return {"code": u.code, "name": u.name, "type": u.type, "city": u.city,
                    "valid_from": u.valid_from, "valid_to": u.valid_to}

        def change(c: UnitChange) -> dict:
            return {"year": c.year, "kind": c.kind, "from_code": c.from_code,
                    "from_name": c.from_name, "to_code": c.to_code, "to_name": c.to_name}

        return {
            "added": [unit(u) for u in self.added],
            "removed": [unit(u) for u in self.removed],
            "renamed": [{"code": a.code, "from": a.name, "to": b.name} for a, b in self.renamed],
            "merged": [change(c) for c in self.of_kind("merge")],
            "split": [change(c) for c in self.of_kind("split")],
            "new_changes": [change(c) for c in self.new_changes],
            "dropped_changes": [change(c) for c in self.dropped_changes],
            "changed": [{"code": b.code, "name": b.name, "fields": fields}
                        for _, b, fields in self.changed],
        }


def diff_registries(a: Registry, b: Registry) -> RegistryDiff:
    """The differences from A (e.g. last year's file) to B (this year's)."""
    out = RegistryDiff()
    codes_a, codes_b = set(a.by_code), set(b.by_code)
    out.added = sorted((b.by_code[c] for c in codes_b - codes_a), key=lambda u: u.code)
    out.removed = sorted((a.by_code[c] for c in codes_a - codes_b), key=lambda u: u.code)
    for code in sorted(codes_a & codes_b):
        old, new = a.by_code[code], b.by_code[code]
        if old.name != new.name:
            out.renamed.append((old, new))
        fields = [label for attr, label in COMPARED
                  if attr != "name" and getattr(old, attr) != getattr(new, attr)]
        if len(a.history(code)) != len(b.history(code)):
            fields.append("rows")
        if fields:
            out.changed.append((old, new, fields))
    changes_a, changes_b = set(a.changes), set(b.changes)
    out.new_changes = [c for c in b.changes if c not in changes_a]
    out.dropped_changes = [c for c in a.changes if c not in changes_b]
    return out


def diff_text(d: RegistryDiff, name_a: str, name_b: str) -> str:
    """The differences as lines a person reads (Chinese with English labels)."""
    if d.is_empty:
        return f"{name_a} → {name_b}: 无差异 no differences\n"
    lines = [f"{name_a} → {name_b}"]

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.append(f"{title} ({len(items)})")
            lines.extend(f"  {item}" for item in items)

    section("新增 added", [f"{u.code} {u.name}（{u.type}，{u.period}）" for u in d.added])
    section("删除 removed", [f"{u.code} {u.name}（{u.type}，{u.period}）" for u in d.removed])
    renames = [f"{a.code} {a.name} → {b.name}" for a, b in d.renamed]
    renames += [f"{c.year} 年 {c.from_code} {c.from_name} → {c.to_code} {c.to_name}"
                for c in d.of_kind("rename") if c.from_code != c.to_code]
    section("更名 renamed", renames)
    section("合并 merged", [f"{c.year} 年 {c.from_code} {c.from_name} 并入 {c.to_code} "
                            f"{c.to_name}" for c in d.of_kind("merge")])
    section("拆分 split", [f"{c.year} 年 {c.from_code} {c.from_name} → {c.to_code} {c.to_name}"
                           for c in d.of_kind("split")])
    section("类型变更 reclassified", [f"{c.year} 年 {c.from_code} {c.from_name}"
                                     for c in d.of_kind("reclassify")])
    section("撤销的变更 changes no longer recorded",
            [f"{c.year} 年 {c.kind} {c.from_code} → {c.to_code}" for c in d.dropped_changes])
    section("其他修改 other edits",
            [f"{b.code} {b.name}: {', '.join(fields)}" for _, b, fields in d.changed])
    return "\n".join(lines) + "\n"
