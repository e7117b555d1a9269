"""Placing printed numbers whose cells the layout leaves open: by the template's row order,
and, where the order leaves several readings, by the table's own sums — which choose between
readings of printed numbers and never create, fill or change one."""

from __future__ import annotations

import random

from gongkai import template as tpl
from gongkai.read import parse_bytes

V2021_ROWS = [r for r in tpl.get("v2021").t3_rows]


def _t3_cells(seed: int) -> dict[str, int]:
    """Table 三 figures that keep every sum: columns balance and outcomes add up to 总计."""
    rng = random.Random(seed)
    rows = [r.code for r in V2021_ROWS]
    outcomes = [r for r in rows if r not in ("new", "carried_in", "total", "carried_out")]
    cells: dict[str, int] = {}
    for c in tpl.T3_COLS[:-1]:
        split = {r: rng.randint(0, 4) for r in outcomes}
        done = sum(split.values())
        out = rng.randint(0, 3)
        cin = rng.randint(0, min(3, done + out))
        cells.update({f"t3.{r}.{c}": v for r, v in split.items()})
        cells.update({f"t3.new.{c}": done + out - cin, f"t3.carried_in.{c}": cin,
                      f"t3.total.{c}": done, f"t3.carried_out.{c}": out})
    for r in rows:
        cells[f"t3.{r}.total"] = sum(cells[f"t3.{r}.{c}"] for c in tpl.T3_COLS[:-1])
    return cells


def _md_row(values: list) -> str:
    return "| " + " | ".join(str(v) for v in values) + " |"


def _report(t3_lines: list[str]) -> bytes:
    head = ["浏阳市永和镇2021年政府信息公开工作年度报告", "", "一、总体情况", "", "概述。", "",
            "二、主动公开政府信息情况", "", "三、收到和处理政府信息公开申请情况", "",
            "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |"]
    tail = ["", "四、政府信息公开行政复议、行政诉讼情况", "", "五、存在的主要问题及改进情况", "",
            "问题。", "", "六、其他需要报告的事项", "", "无。"]
    return "\n".join(head + t3_lines + tail).encode("utf-8")


def _detached(cells: dict, missing_numbers: str | None) -> list[str]:
    """Every row label in a block, then the number rows without labels (one row's numbers
    missing, as if lost at a page break)."""
    lines = [r.labels[0] for r in V2021_ROWS]
    for r in V2021_ROWS:
        if r.code != missing_numbers:
            lines.append(_md_row([cells[f"t3.{r.code}.{c}"] for c in tpl.T3_COLS]))
    return lines


def test_number_rows_apart_from_their_labels_are_placed_by_row_order():
    """As many number rows as labels: each row's numbers go to its row, marked inferred."""
    cells = _t3_cells(1)
    r = parse_bytes(_report(_detached(cells, None)), "detached.md")
    for code, value in cells.items():
        assert r.cells[code] == value, code
        assert r.sources[code].confidence == "inferred"
        assert "row order" in r.sources[code].reason
    assert any(i.code == "inferred_cells" for i in r.issues)
    assert not any(i.code == "cells_not_read" for i in r.issues)


def test_sums_pick_the_only_consistent_alignment():
    """The numbers of （七）总计 are missing: of the 25 ways to leave one row without numbers,
    only 'total' keeps the table's balance (new + carried in = total + carried out) unbroken
    in every column, so every other row is placed, and the total stays empty."""
    cells = _t3_cells(2)
    r = parse_bytes(_report(_detached(cells, "total")), "detached.md")
    for code, value in cells.items():
        if code.startswith("t3.total."):
            assert r.cells[code] is None and code not in r.sources
        else:
            assert r.cells[code] == value, code
            assert "sums fit only this" in r.sources[code].reason
    assert not any(i.code == "cells_not_read" for i in r.issues)


def test_two_alignments_fit_so_the_cells_stay_null():
    """The numbers of one outcome row are missing: leaving any outcome row empty keeps every
    sum (the outcomes still add up to the same total), so which rows the numbers belong to
    cannot be told: those cells stay null with an issue; the rows the readings agree on (总计,
    结转) are placed."""
    cells = _t3_cells(3)
    r = parse_bytes(_report(_detached(cells, "denied.process")), "detached.md")
    outcome = [c for c in cells if not c.startswith(("t3.new.", "t3.carried_in.", "t3.total.",
                                                     "t3.carried_out."))]
    assert all(r.cells[c] is None and c not in r.sources for c in outcome)
    for code in cells:
        if code.startswith(("t3.new.", "t3.total.", "t3.carried_out.")):
            assert r.cells[code] == cells[code], code
    issue = next(i for i in r.issues if i.code == "cells_not_read")
    assert issue.severity == "warning" and "t3.granted.natural" in issue.message_en


def test_a_report_that_breaks_its_own_sums_still_breaks_them():
    """With one reading only (as many number rows as labels), the printed numbers are placed
    even where they break the table's sums: the sums never change a number."""
    cells = _t3_cells(4)
    cells["t3.total.natural"] += 5  # the report's own arithmetic error
    r = parse_bytes(_report(_detached(cells, None)), "detached.md")
    assert r.cells["t3.total.natural"] == cells["t3.total.natural"]
    assert r.cells == {**r.cells, **cells}


def _short_row_report(drop_col: str, loose: bool) -> tuple[bytes, dict]:
    cells = _t3_cells(5)
    cells["t3.new.research"] += 3  # a non-zero value to lose
    cells["t3.granted.research"] += 3
    cells["t3.total.research"] += 3
    for row in ("new", "granted", "total"):
        cells[f"t3.{row}.total"] += 3
    lines = []
    for r in V2021_ROWS:
        values = [cells[f"t3.{r.code}.{c}"] for c in tpl.T3_COLS]
        if r.code == "new":
            k = tpl.T3_COLS.index(drop_col)
            if loose:
                lines = [f"{values[k]}（其中2件为补正后申请）", ""] + lines
            values = values[:k] + values[k + 1:]
        lines.append(_md_row([r.labels[0], *values]))
    return _report(lines), cells


def test_a_dropped_cell_printed_apart_is_put_back_where_the_sums_hold():
    """A row shows six of seven values and the seventh stands alone above the table: the one
    placement that makes the row's 总计 and the column's balance hold puts it back."""
    data, cells = _short_row_report("research", loose=True)
    r = parse_bytes(data, "dropped.md")
    for c in tpl.T3_COLS:
        assert r.cells[f"t3.new.{c}"] == cells[f"t3.new.{c}"], c
        assert r.sources[f"t3.new.{c}"].confidence == "inferred"
    assert r.sources["t3.new.research"].note == "其中2件为补正后申请"


def test_a_short_row_without_its_value_is_read_where_the_sums_tell():
    """Without the loose value, the six values still have one place that keeps the sums
    (the gap under 科研机构); the gap stays empty."""
    data, cells = _short_row_report("research", loose=False)
    r = parse_bytes(data, "dropped.md")
    assert r.cells["t3.new.research"] is None and "t3.new.research" not in r.sources
    for c in tpl.T3_COLS:
        if c != "research":
            assert r.cells[f"t3.new.{c}"] == cells[f"t3.new.{c}"], c


def test_table_two_short_row_is_not_shifted():
    """Table 二 has no sums: a row of two values under three columns is not read (it was read
    from the left, putting the third value in the middle column)."""
    text = "\n".join([
        "浏阳市永和镇2021年政府信息公开工作年度报告", "二、主动公开政府信息情况",
        "8（其中修订2件）",
        "| 第二十条第（一）项 | | | |", "|---|---|---|---|",
        "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
        "| 规章 | 0 | 0 | 0 |", "| 行政规范性文件 | 2 | 13 |",
        "三、收到和处理政府信息公开申请情况",
    ])
    r = parse_bytes(text.encode("utf-8"), "t2.md")
    assert r.cells["t2.regulation.in_force"] == 0
    for c in ("issued", "repealed", "in_force"):
        assert r.cells[f"t2.normative_doc.{c}"] is None
    issue = next(i for i in r.issues if i.code == "cells_not_read")
    assert "t2.normative_doc.repealed" in issue.message_en


def test_a_row_with_more_values_than_columns_is_not_cut_at_the_left():
    """A table-三 row with an eighth number (a converter split a cell in two): the seven that
    keep the table's sums are kept when only one choice does; in table 二, which has no sums,
    the row is not read rather than cut after its first values."""
    cells = _t3_cells(6)
    lines = []
    for r in V2021_ROWS:
        values = [cells[f"t3.{r.code}.{c}"] for c in tpl.T3_COLS]
        if r.code == "granted":
            values = values[:3] + [17] + values[3:]  # a stray number inside the row
        lines.append(_md_row([r.labels[0], *values]))
    r = parse_bytes(_report(lines), "long.md")
    for c in tpl.T3_COLS:
        assert r.cells[f"t3.granted.{c}"] == cells[f"t3.granted.{c}"], c
        assert r.sources[f"t3.granted.{c}"].confidence == "inferred"
    text = "\n".join(["浏阳市永和镇2021年政府信息公开工作年度报告", "二、主动公开政府信息情况",
                      "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
                      "| 行政规范性文件 | 2 | 1 | 13 | 4 |", "三、收到和处理政府信息公开申请情况"])
    r = parse_bytes(text.encode("utf-8"), "t2.md")
    assert all(r.cells[f"t2.normative_doc.{c}"] is None for c in ("issued", "repealed", "in_force"))
    assert any(i.code == "cells_not_read" for i in r.issues)


def test_parse_summary_marks_inferred_values():
    """`gongkai parse` without --json shows an inferred value with a '*' after it."""
    from gongkai.commands.parse import render_summary

    cells = _t3_cells(7)
    summary = render_summary(parse_bytes(_report(_detached(cells, None)), "detached.md"))
    row = next(ln for ln in summary.splitlines() if ln.startswith("予以公开 "))
    assert row.split()[1:] == [f"{cells[f't3.granted.{c}']}*" for c in tpl.T3_COLS]
    assert "* = 推定" in summary
