"""A bounded fuzz test: mutated reports never make the reader raise."""

from __future__ import annotations

import random
from pathlib import Path

from gongkai import template as tpl
from gongkai.model import ParsedReport
from gongkai.read import parse_bytes

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "data" / "raw" / "2019" / "430181002-jili.md",
           *sorted((Path(__file__).parent / "layouts").glob("*"))]
NOISE = ["|", "\t", "\n", "\n\n", "（", "）", "0", "-", "/", "总计", "第二十条第（五）项", "行政复议",
         "<td>", "</tr>", "<table>", "\x00", "\ufffd", "一、", "1．", " 9 9 9", "结果维持", "&nbsp;"]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace") if rng.random() < 0.8 else None
    if text is None:
        b = bytearray(data)
        for _ in range(rng.randint(1, 50)):
            if b:
                b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    lines = text.splitlines()
    for _ in range(rng.randint(1, 12)):
        op = rng.random()
        if not lines:
            break
        i = rng.randrange(len(lines))
        if op < 0.25:
            del lines[i]
        elif op < 0.45:
            lines.insert(i, rng.choice(NOISE))
        elif op < 0.65:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op < 0.85:
            s = lines[i]
            k = rng.randrange(len(s) + 1)
            lines[i] = s[:k] + rng.choice(NOISE) + s[k:]
        else:
            lines = lines[: i + 1]  # cut off
    return "\n".join(lines).encode(rng.choice(["utf-8", "gb18030", "utf-16"]), "replace")


def test_mutated_reports_never_raise():
    """600 seeded mutations of the seed and the layout files: every one yields a report."""
    rng = random.Random(20191231)
    originals = [(p.name, p.read_bytes()) for p in SOURCES]
    for n in range(600):
        name, data = originals[n % len(originals)]
        mutated = _mutate(data, rng)
        report = parse_bytes(mutated, f"mutant-{n}-{name}")
        assert isinstance(report, ParsedReport)
        assert not [i for i in report.issues if i.code == "reader_error"], (n, name, report.issues)
        assert type(report.cells) is dict  # plain data, JSON-ready
        # codes are the template's own: the reader invents no cell
        assert set(report.cells) <= set(tpl.all_codes()), (n, name)
        for code, value in report.cells.items():
            assert value is None or isinstance(value, (int, float)), (code, value)
            if value is not None:
                assert code in report.sources
