"""Which template version (v2019, v2021) a report's tables use, told from their labels.

The year is not enough: a 2022 report may still print the v2019 table.  Each header or row
label found in one version only is a vote; a whole header on one line of PDF text counts the
markers inside it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain
from operator import attrgetter, itemgetter

from gongkai.read import labels as lab
from gongkai.read.document import Document
from gongkai.read.limits import TEXT_CACHE

# pieces of the v2019 header 本年新制作数量 broken across lines ('本年新' / '制作数量')
_V2019_PIECES = ("本年新制作", "本年新")


@lru_cache(maxsize=1)
def _markers() -> tuple[set[str], set[str], set[str], set[str], list[str], list[str],
                        re.Pattern]:
    """The words of each version (see ``detect_version``), worked out once, and a pattern
    that finds any of the long ones."""
    m19 = set(lab.V2019_MARKERS)
    m21 = set(lab.V2021_MARKERS)
    # rows of one version only, without the words both versions use (其他, 其他处理 are v2019
    # rows and a v2021 group and row)
    only19 = {c for r in lab.row_labels() if r.versions == {"v2019"} for c in r.cores}
    only21 = {c for r in lab.row_labels() if r.versions == {"v2021"} for c in r.cores}
    only19 -= set(lab.T3_GROUPS)
    only21 -= set(lab.T3_GROUPS)
    long21 = [m for m in m21 | only21 if len(m) >= 4]
    long19 = [m for m in m19 | only19 if len(m) >= 4]
    any_long = re.compile("|".join(re.escape(m) for m in sorted({*long21, *long19})))
    return m19, m21, only19, only21, long21, long19, any_long


@lru_cache(maxsize=TEXT_CACHE)
def _votes(text: str) -> tuple[int, int]:
    """The (v2019, v2021) votes of one cell's text."""
    m19, m21, only19, only21, long21, long19, any_long = _markers()
    core = lab.split_label(text).core
    if not core or len(core) > 120:
        return 0, 0
    if core in m19 or core in only19 or core.startswith(_V2019_PIECES[0]) \
            or core == _V2019_PIECES[1]:
        return 1, 0
    if core in m21 or core in only21:
        return 0, 1
    if len(core) > 8 and any_long.search(core):
        # a whole header on one line of text (PDF text): count the markers inside it
        v21 = 0
        rest = core
        for m in long21:
            if m in rest:
                v21 += 1
                rest = rest.replace(m, "")
        return sum(1 for m in long19 if m in rest), v21
    return 0, 0


_TEXT, _CELLS = attrgetter("text"), attrgetter("cells")


def detect_version(doc: Document) -> tuple[str | None, int, int]:
    """The template version the tables use, from their labels: (version, v2019 votes, v2021 votes)."""
    # every cell's votes, the cells' texts taken and their votes added up in C (map, chain,
    # sum) rather than cell by cell
    votes = list(map(_votes, map(_TEXT, chain.from_iterable(map(_CELLS, doc.lines)))))
    v19 = sum(map(itemgetter(0), votes))
    v21 = sum(map(itemgetter(1), votes))
    if v19 == v21 == 0:
        return None, 0, 0
    return ("v2019" if v19 > v21 else "v2021"), v19, v21
