"""A row of cells read from its texts alone: its values, which cells are labels, their cores,
and the label that opens a data row on it (``tables.TableReader`` does the rest: what the
walk has open, the pending label, the state).

What a row holds depends on nothing but its cells' texts (and, for the opening label, the
template version and the table 三 group), so the readings of rows of at most
``ROW_CACHED_CHARS`` characters are kept (bounded, ``limits.TEXT_CACHE``): a table's rows
repeat within a report and across reports, most of their cells 0.
"""

from __future__ import annotations

from functools import lru_cache

from gongkai.read.labels import RowLabel, split_label
from gongkai.read.limits import TEXT_CACHE
from gongkai.read.rowlabels import classify_row_label, is_known_label, is_label_text, t3_group
from gongkai.read.values import Value, parse_value

# rows of at most this many characters (their cells' texts together) have their reading kept
# (``cached_row``, ``cached_opening``): the rows of a table repeat within a report and
# across reports (most of their cells 0)
ROW_CACHED_CHARS = 400


def read_row(texts: tuple[str, ...]) -> tuple[tuple[Value, ...], tuple[bool, ...],
                                                frozenset[str]]:
    """What a row's cells hold, from their texts alone: their values, which are labels, and
    the labels' cores."""
    values = tuple(map(parse_value, texts))
    is_label = tuple([v.status == "unreadable" and is_label_text(t)
                      for t, v in zip(texts, values, strict=True)])
    cores = frozenset({split_label(t).core for t, f in zip(texts, is_label, strict=True) if f})
    return values, is_label, cores


cached_row = lru_cache(maxsize=TEXT_CACHE)(read_row)


def opening(texts: tuple[str, ...], version: str, group: str | None
             ) -> tuple[int, RowLabel | None, bool, str | None, bool] | None:
    """The label that opens a data row on a row of cells (the rightmost data-row label with
    no known label after it, or with values after it and no known label among the labels
    after it), from the row's texts, the version and the table 三 group: (its position, the
    row it names, whether values or blank markers follow it on the line, the last group
    label before it, whether all cells after it are empty).  (0, None, …) for a first cell
    that names no row on its own (the label left over from the line before may complete
    it); None when no cell opens a row."""
    values, is_label, _ = cached_row(texts) if sum(map(len, texts)) <= ROW_CACHED_CHARS \
        else read_row(texts)
    n = len(texts)
    # what the cells after i hold, gathered as i moves left: labels, values, blank
    # markers (a blank cell with text such as '/' or '-')
    later_labels: list[int] = []
    value_after = marker_after = False
    for i in range(n - 1, -1, -1):
        if i + 1 < n:
            status = values[i + 1].status
            if status == "value":
                value_after = True
            elif status == "blank" and texts[i + 1].strip():
                marker_after = True
            if is_label[i + 1]:
                later_labels.append(i + 1)
        if not is_label[i]:
            continue
        if later_labels and (
                not value_after
                or any(is_known_label(texts[j], version, group) for j in later_labels)):
            continue  # a header row, or a label further right opens the row
        same_line = value_after or marker_after
        rl = classify_row_label(texts[i], version, group, same_line)
        if rl is None:
            if i == 0:
                return 0, None, same_line, None, False
            continue
        group_before = None
        for j in range(i):  # group labels before it
            if is_label[j]:
                g = t3_group(texts[j])
                if g:
                    group_before = g
        # Slot.is_bare_empty of each cell after it, read from its text and value
        held = all(values[j].status == "blank" and not texts[j].strip() for j in range(i + 1, n))
        return i, rl, same_line, group_before, held
    return None


cached_opening = lru_cache(maxsize=TEXT_CACHE)(opening)
