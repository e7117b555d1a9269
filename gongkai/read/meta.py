"""Report metadata: title, unit, year, publication date, sections and narrative figures."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from functools import lru_cache
from importlib import resources

from gongkai.model import NarrativeFigure
from gongkai.read.document import Line
from gongkai.read.labels import cn_number, near, section_labels, split_label
from gongkai.read.limits import TEXT_CACHE

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_PATTERNS = (
    re.compile(r"(?P<y>20\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(r"(?P<y>20\d{2})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)"),
)
_CN_DATE = re.compile(
    r"(?P<y>[二〇○零一二三四五六七八九Ｏ]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日")
_PUBLISHED_LINE = re.compile(r"(发布|成文|印发|公开|发文|更新)(日期|时间)")
_TITLE = re.compile(r"信息公开.{0,6}(?:年度|工作)报告|年度报告")
_YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年")
_UNIT_TAIL = re.compile(r"(人民政府|办事处|街道|镇|乡|县|区|市|管委会)$")


def parse_date(text: str) -> date | None:
    """The first date in a text (2020年1月3日, 2020-01-03, 二〇二〇年一月三日), or None."""
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(text):
            try:
                return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError:
                continue
    m = _CN_DATE.search(text)
    if m:
        try:
            y = int("".join(str(_CN_DIGITS.get(c, 0)) for c in m.group("y")))
            mo = cn_number(m.group("m"))
            d = cn_number(m.group("d"))
            if mo and d:
                return date(y, mo, d)
        except ValueError:
            return None
    return None


def section_of(line: Line, seen: set[str], style: str | None = None) -> str | None:
    """The section (s1…s6) a heading line opens, or None when it is not a heading.

    ``style`` is the numbering of the headings met so far (top 一、, paren （一）, arabic 1．):
    once a report numbers its sections one way, a heading numbered another way is a
    sub-heading (（二）主动公开… inside 一、总体情况 is not section 二).
    """
    cells = line.cells
    if len(cells) == 1:  # a text line, or a row of one cell (blank: no heading)
        text = cells[0].text
    else:
        # the first cell with text; a row with a second one (most rows) is no heading
        text = ""
        is_row = line.is_row
        for c in cells:
            if c.text.strip():
                if text:  # a second one (only a row reads on to it)
                    return None
                text = c.text
                if not is_row:
                    break
        if is_row and not text:
            return None
    if not text or len(text) > 60 or not text.strip():
        return None
    found = heading_of(text)  # _heading(text, style), told from one lookup by the text
    if found is None:
        return None
    numbering, heading = found
    if style and numbering and numbering != style:
        return None
    if heading[0]:
        return heading[0]
    # a top-level heading with other words (一、工作基本情况): s1, s5, s6 only, in order
    number = heading[1]
    code = f"s{number}"
    earlier = {f"s{i}" for i in range(1, number)}
    if code not in seen and (number == 1 and not seen or seen & earlier):
        return code
    return None


@lru_cache(maxsize=TEXT_CACHE)
def heading_of(text: str) -> tuple[str | None, tuple[str | None, int | None]] | None:
    """(the text's numbering, what it may open) for a text that may open a section, else
    None. What it may open, whatever sections came before: (section, None) for a heading
    that names its section, (None, n) for a top-level heading 一、/五、/六、 with other words
    (section n when the sections before it were met). Keyed by the text alone: a heading
    numbered otherwise than the report's own headings is none (``section_of``), so one entry
    serves every numbering style."""
    parsed = split_label(text)
    core = parsed.core
    named = _section_named(core, parsed.numbering, parsed.number)
    if named:
        return parsed.numbering, (named, None)
    if parsed.numbering == "top" and parsed.number in (1, 5, 6) and len(core) <= 16:
        if parsed.number == 1 and not any(k in core for k in ("情况", "概述", "总体", "基本")):
            return None
        return parsed.numbering, (None, parsed.number)
    return None


@lru_cache(maxsize=TEXT_CACHE)
def _section_named(core: str, numbering: str | None, number: int | None) -> str | None:
    """The section whose heading words a line's core matches."""
    for code, ordinal, cores in section_labels():
        # a numbered heading must carry its section's ordinal (一、/（一）/1．): sub-headings
        # such as （一）主动公开政府信息情况 under 总体情况 are not sections
        if numbering and number != ordinal:
            continue
        for c in cores:
            if core == c or near(core, c):
                return code
            if numbering == "top" and core.startswith(c[:6]) and len(core) <= len(c) + 8:
                return code
    return None


def numbering_style(line: Line) -> str | None:
    """The numbering kind of a heading line (top, paren, arabic) or None."""
    text = next((c.text for c in line.cells if c.text.strip()), "")
    return split_label(text).numbering if text else None


_BREADCRUMB = re.compile(r"[>›»]|首页|当前位置")
_BREADCRUMB_STEP = re.compile(r"\s*[>›»]\s*")
_META_LABEL = re.compile(r"^\s*(?:标\s*题|题\s*名|文件名称|名\s*称)\s*[:：]\s*")
_TITLE_REST = re.compile(r"^[\u4e00-\u9fff]{0,8}报告$")  # the second line of a broken title


def _bare(text: str) -> str:
    return text.lstrip("#").strip().strip("*").strip()


_PLACE_WORD = re.compile(r"(政府|办事处|街道|镇|乡|县|区|市)")


def _title_score(text: str) -> int:
    """How much a line reads like the report's title (0: not at all)."""
    if len(text) > 60 or not _TITLE.search(text) or "本年度报告" in text:
        return 0
    return 1 + ("信息公开" in text) * 2 + bool(_YEAR_IN_TITLE.search(text)) \
        + bool(_PLACE_WORD.search(text))


@lru_cache(maxsize=TEXT_CACHE)
def _title_line(text: str) -> tuple[float, str, bool] | None:
    """What one of the first lines (its text without Markdown marks, at most 200 characters)
    offers as the title, from its text alone (the first lines of reports repeat their
    headings): (score, title, True) for a line, its metadata label ('标题:') cut off (the
    next line may hold the rest of the title); (0.5, the last step, False) for a breadcrumb
    whose last step reads as a title; None for another breadcrumb."""
    labelled = _META_LABEL.match(text)
    if labelled:
        text = text[labelled.end():]
    if _BREADCRUMB.search(text):
        last = _BREADCRUMB_STEP.split(text)[-1].strip()
        if not _BREADCRUMB.search(last) and _title_score(last):
            return 0.5, last, False
        return None
    return _title_score(text) + bool(labelled), text, True


def _title_candidates(lines: list[Line]) -> list[tuple[float, int, str, int, int]]:
    """(score, -position, title, first, last) for every way the first lines may hold the title:
    a line, a line and the rest of the title on the next ('…政府信息公开工作' / '年度报告'), the
    title field of a page's metadata table ('标题: | … |'), or the last step of a breadcrumb
    (a last resort). first/last index the title's lines in ``lines``."""
    out: list[tuple[float, int, str, int, int]] = []
    single = [i for i, ln in enumerate(lines)
              if not ln.is_row or sum(1 for c in ln.cells if c.text) == 1]
    bare = [_bare(lines[i].text) for i in single]
    for k, i in enumerate(single):
        if len(bare[k]) > 200:
            continue  # prose
        read = _title_line(bare[k])
        if read is None:
            continue
        score, text, alone = read
        out.append((score, -i, text, i, i))
        if alone and k + 1 < len(single) and "报告" not in text and len(bare[k + 1]) <= 12:
            rest = bare[k + 1]
            if _TITLE_REST.match(rest) and _title_score(text + rest):
                out.append((_title_score(text + rest) + 1, -i, text + rest, i, single[k + 1]))
    for i, ln in enumerate(lines):
        if not ln.is_row:
            continue  # a text line: no title field
        filled = [c.text for c in ln.cells if c.text]
        if len(filled) >= 2 and _META_LABEL.match(filled[0] + "："):
            out.append((_title_score(filled[1]) + 1 if _title_score(filled[1]) else 0, -i,
                        filled[1].strip(), i, i))
    return out


def find_title(lines: list[Line], title_hint: str | None) -> tuple[str | None, str | None]:
    """(title, unit line) from the first lines: the 年度报告 title and, when the title names
    no unit, a short unit line next to it."""
    head = lines[:40]
    best = max(_title_candidates(head), default=None)
    if best is not None and best[0]:
        _, _, title, first, last = best
        for j in (last + 1, first - 1):
            if 0 <= j < len(head) and (not head[j].is_row or len(head[j].cells) == 1):
                other = _bare(head[j].text)
                if 2 < len(other) <= 30 and _UNIT_TAIL.search(other):
                    return title, other
        return title, None
    if title_hint and _TITLE.search(title_hint):
        return title_hint.strip(), None
    return None, None


def unit_from_title(title: str | None) -> str | None:
    """The unit as printed in a title (text before the year or before 政府信息公开)."""
    if not title:
        return None
    t = re.sub(r"^#+\s*", "", title).strip()
    t = re.sub(r"^(20\d{2})\s*年度?\s*", "", t)  # 2022年度浏阳市社港镇政府信息公开…
    t = re.sub(r"^关于\s*", "", t)
    m = re.search(r"\s*(20\d{2})\s*年", t)
    name = t[:m.start()] if m else t
    name = re.split(r"(政府信息公开|信息公开)", name)[0]
    name = re.sub(r"\s+", "", name).strip("：:，, ")
    return name or None


def year_in_title(title: str | None) -> int | None:
    """The year a title states (2023年, 二〇二三年), or None."""
    if title:
        m = _YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1))
        m = re.search(r"([二〇○零一三四五六七八九Ｏ]{4})\s*年", title)
        if m:
            return int("".join(str(_CN_DIGITS.get(c, 0)) for c in m.group(1)))
    return None


def year_from(title: str | None, body: str) -> int | None:
    """The report year: from the title, else from the statistical period."""
    year = year_in_title(title)
    if year is not None:
        return year
    m = re.search(r"统计期限?(?:为|是|自|从)?\s*(20\d{2})\s*年\s*1\s*月\s*1\s*日", body)
    if m:
        return int(m.group(1))
    m = re.search(r"(20\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*至\s*\1\s*年\s*12\s*月\s*31\s*日", body)
    if m:
        return int(m.group(1))
    m = re.search(r"(20\d{2})\s*年度?(?:政府信息公开|信息公开)", body[:3000])
    if m:
        return int(m.group(1))
    # the table's own header note (本年增/减 (指2020年增加或减少的事项数)), or a sentence of
    # the report about its year (2023年我街道共收到…)
    m = re.search(r"本年[^()（）\n]{0,8}[(（]\s*指\s*(20\d{2})\s*年", body)
    if m:
        return int(m.group(1))
    m = re.search(r"(?:^|\n)\s*(20\d{2})\s*年度?\s*[,，]?\s*(?:我|本)(?:镇|乡|街道|街|局|委|办|单位|机关)",
                  body[:3000])
    if m:
        return int(m.group(1))
    return None


def find_published(lines: list[Line]) -> tuple[date | None, str | None]:
    """(date, location): a 发布日期 line, else the signature date at the end, else a date line
    under the title."""
    for ln in lines[:40]:
        text = ln.text
        # the pattern's words end in 日期 or 时间: searched only in a text holding one of them
        if ("日期" in text or "时间" in text) and _PUBLISHED_LINE.search(text):
            d = parse_date(text)
            if d:
                return d, ln.cells[0].location if ln.cells else None
    for ln in _last_with_text(lines, 6):
        t = ln.text.strip()
        if len(t) <= 24:
            d = parse_date(t)
            if d:
                return d, ln.cells[0].location if ln.cells else None
    for ln in lines[:6]:
        t = ln.text.strip().strip("()（）")
        if len(t) <= 20:
            d = parse_date(t)
            if d:
                return d, ln.cells[0].location if ln.cells else None
    return None, None


def _last_with_text(lines: list[Line], n: int) -> list[Line]:
    """The last ``n`` lines with text, the last first (only those lines' text is joined)."""
    out: list[Line] = []
    for ln in reversed(lines):
        if ln.text:
            out.append(ln)
            if len(out) == n:
                break
    return out


def signature_unit(lines: list[Line]) -> str | None:
    """The unit in the signature block at the end (the line before the date)."""
    for ln in _last_with_text(lines, 4):
        t = ln.text.strip()
        if 2 < len(t) <= 30 and _UNIT_TAIL.search(t) and not parse_date(t):
            return t
    return None


@lru_cache(maxsize=1)
def _figures() -> tuple[tuple[re.Pattern, str, tuple[str, int, int]], ...]:
    """The narrative figure patterns, the cells they restate (data/narrative_figures.toml),
    and where each must hold words of its own (``required_run``)."""
    text = resources.files("gongkai.data").joinpath("narrative_figures.toml").read_text("utf-8")
    out = []
    for f in tomllib.loads(text)["figure"]:
        pattern = re.compile(f["pattern"])
        out.append((pattern, f["compared_with"], required_run(pattern)))
    return tuple(out)


def required_run(pattern: re.Pattern) -> tuple[str, int, int]:
    """(words, least, most): the longest run of plain characters every match of ``pattern``
    holds (its characters matched one after another outside any group, option or repeat),
    and how many characters of a match may stand before them. ('', 0, 0) when there is no
    such run, or when the pattern ignores case."""
    if pattern.flags & re.IGNORECASE:
        return "", 0, 0
    from re import _parser  # the parser re.compile uses (the module sre_parse was)

    parsed = _parser.parse(pattern.pattern, pattern.flags)
    best, best_at = "", 0
    run, run_at = "", 0
    for i, (op, arg) in enumerate(parsed):
        if op is _parser.LITERAL:
            if not run:
                run_at = i
            run += chr(arg)
            if len(run) > len(best):
                best, best_at = run, run_at
        else:
            run = ""
    if not best:
        return "", 0, 0
    least, most = _parser.SubPattern(parsed.state, parsed.data[:best_at]).getwidth()
    return best, least, most


# further than this before its required words a match may start, the pattern is searched as
# it is (``find_all``)
_NEAR_REQUIRED = 64


def find_all(pattern: re.Pattern, text: str, required: tuple[str, int, int]) -> list[re.Match]:
    """``list(pattern.finditer(text))``, the pattern tried only where a match may start: a
    few characters before each place its required words stand (``required_run``).

    The figure patterns that start with optional words (``(?:全年)?(?:共)?受理…``) are
    otherwise tried at every position of a section. The positions are tried in order, each
    as ``finditer`` tries it (``pattern.match`` at that position), and after a match the next
    is looked for from its end, as ``finditer`` does (no figure pattern matches an empty
    text)."""
    words, least, most = required
    if not words or most > _NEAR_REQUIRED:
        return list(pattern.finditer(text))
    out: list[re.Match] = []
    pos = 0  # where the next match may start
    tried = -1  # the last position tried
    at = text.find(words, pos + least)
    while at >= 0:
        for start in range(max(pos, at - most, tried + 1), at - least + 1):
            tried = start
            m = pattern.match(text, start)
            if m is not None:
                out.append(m)
                pos = m.end() if m.end() > m.start() else m.start() + 1
                break
        at = text.find(words, max(at + 1, pos + least))
    return out


_SPACES = re.compile(r"\s+")


def narrative_figures(sections: dict[str, str]) -> list[NarrativeFigure]:
    """Figures stated in the narrative (s1, s3, s4), with the cells they restate."""
    out: list[NarrativeFigure] = []
    seen: set[tuple[str, int]] = set()  # (section, position of the number)
    for code in ("s1", "s3", "s4"):
        # _SPACES.sub("", …): str.split() cuts at the same white space as \s (both read
        # Py_UNICODE_ISSPACE), in one pass without the regex engine
        text = "".join(sections.get(code, "").split())
        for pattern, compared, required in _figures():
            for m in find_all(pattern, text, required):
                start = max(0, m.start() - 2)
                if text[start:m.start()].endswith(("未", "无")):
                    continue
                key = (code, m.start(1))
                if key in seen:
                    continue
                seen.add(key)
                out.append(NarrativeFigure(m.group(0), int(m.group(1)), compared, code))
    return out
