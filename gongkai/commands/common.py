"""What several subcommands share: their common options, a parser with subcommands of its own,
and the checks of their arguments that end a command with status 2 and one line saying why."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_WAREHOUSE = "warehouse/gongkai.duckdb"
# the office's decision files, under version control beside the raw folder
DEFAULT_REVIEWS = Path("data") / "reviews.toml"
DEFAULT_CORRECTIONS = Path("data") / "corrections.toml"
DECISION_FILES = {"reviews": DEFAULT_REVIEWS, "corrections": DEFAULT_CORRECTIONS}


def add_warehouse(p, help: str = "the published warehouse") -> None:
    """``--warehouse FILE`` (default: warehouse/gongkai.duckdb)."""
    p.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, metavar="FILE",
                   help=f"{help} (default: {DEFAULT_WAREHOUSE})")


def add_out(p) -> None:
    """``--out DIR``, the report folder (default: out/)."""
    p.add_argument("--out", default="out", metavar="DIR", help="report folder (default: out/)")


REGISTRY_DEFAULT = "default: $GONGKAI_REGISTRY, else the bundled Liuyang registry"


def add_registry(p, help: str = "the unit registry CSV", more: str = "",
                 default_note: bool = True) -> None:
    """``--registry FILE``: ``help``, then where the registry comes from when not given (for a
    command that reads the registry; ``default_note=False`` where none is read then)."""
    note = f" ({REGISTRY_DEFAULT}){more}" if default_note else more
    p.add_argument("--registry", metavar="FILE", default=None, help=help + note)


def add_years(p, help: str, default: str | None = None) -> None:
    """``--years A-B``: report years, e.g. 2024, 2019-2024 or 2021,2023."""
    p.add_argument("--years", default=default, metavar="A-B", help=help)


def add_listing(p, form: str, help: str = "print CSV instead of a table") -> None:
    """``--csv`` or ``--json``: how a listing is printed (``form``: ``csv`` or ``json``)."""
    p.add_argument(f"--{form}", action="store_true", help=help)


def decision_group(sub, name: str, kind: str, help: str, description: str):
    """A command group over one of the office's decision files (``review``: ``reviews``,
    ``correction``: ``corrections``): its subparsers, and the function that gives one of its
    subcommands ``--warehouse`` and the file's option."""
    _, cmds = group_parser(sub, name, help, description)

    def common(q) -> None:
        add_warehouse(q)
        add_decision_file(q, kind, f"the {kind} file")

    return cmds, common


def group_parser(sub, name: str, help: str, description: str):
    """A subcommand with subcommands of its own (``gongkai units list`` …): its parser, and
    the subparsers to add them to. Given alone, it prints its help and exits with 2."""
    p = sub.add_parser(name, help=help, description=description)

    def show_help(args) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=show_help)
    return p, p.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND")


def refuse(command: str, message: str) -> int:
    """Say why a command stops before doing anything; returns its exit status, 2."""
    print(f"gongkai {command}: {message}", file=sys.stderr)
    return 2


def years_or_none(command: str, text: str | None) -> tuple[bool, list[int] | None]:
    """``--years`` read (``2024``, ``2019-2024``): (True, years; None for every year), or
    (False, None) after saying what is wrong with it."""
    from gongkai.sources import parse_years

    try:
        return True, parse_years(text)
    except ValueError as exc:
        refuse(command, str(exc))
        return False, None


def registry_or_none(command: str, path: str | None):
    """The registry scope of ``--registry`` (``gongkai.units.registry_scope``), or None after
    saying what is wrong with the file."""
    from gongkai.units import RegistryError, registry_scope

    try:
        return registry_scope(path)
    except RegistryError as exc:
        refuse(command, str(exc))
        return None


def source_or_none(command: str, source: Path) -> Path | None:
    """The raw folder or URL manifest a run reads, or None after saying it does not exist."""
    from gongkai.sources import is_manifest

    if is_manifest(source) and not source.is_file():
        refuse(command, f"the URL manifest {source} does not exist")
        return None
    if not is_manifest(source) and not source.is_dir():
        refuse(command, f"the source folder {source} does not exist")
        return None
    return source


def add_decision_file(p, kind: str, help: str, note: str = "") -> None:
    """``--reviews FILE`` or ``--corrections FILE`` (``kind``), with its default."""
    default = DECISION_FILES[kind]
    p.add_argument(f"--{kind}", default=str(default), metavar="FILE",
                   help=f"{help} (default: {default}{note})")


def add_decision_files(p) -> None:
    """The ``--reviews`` and ``--corrections`` options (``run`` and ``serve``)."""
    for kind, help in (("reviews", "the office's reviews of findings"),
                       ("corrections", "the office's reading corrections")):
        add_decision_file(p, kind, help, ", when it exists; validated before the run starts")


def decision_files(args, command: str) -> tuple[str | None, str | None] | None:
    """The reviews and corrections files of the options, absolute (None for a file that
    does not exist); None after printing the problems of a file that cannot be used."""
    from gongkai.checks.reviews import read_reviews
    from gongkai.decisions import DecisionFileError
    from gongkai.warehouse.corrections import read_corrections

    out = []
    for path, read in ((args.reviews, read_reviews), (args.corrections, read_corrections)):
        try:
            read(path)
        except DecisionFileError as exc:
            print(f"gongkai {command}: {exc}", file=sys.stderr)
            return None
        out.append(str(Path(path).resolve()) if Path(path).is_file() else None)
    return out[0], out[1]


@dataclass
class RunInputs:
    """What a run (``run``, or every run of ``serve``) reads, each checked before it starts."""

    years: list[int] | None
    source: Path
    registry: Any  # gongkai.units.RegistryScope: entered around the run
    reviews: str | None
    corrections: str | None


def run_inputs(command: str, args, default_source: Path,
               years: list[int] | None = None,
               sound: Callable[[Path], None] | None = None) -> RunInputs | None:
    """The years (``years`` when given, else ``--years``), source, registry and decision files
    of a run's options; None after saying, in one line, what is wrong with the first that
    cannot be used. ``sound`` is called with the source once the years and the source are
    known to be usable, before the registry (the slow one) is read."""
    ok, years = (True, years) if years else years_or_none(command, args.years)
    if not ok:
        return None
    source = source_or_none(command, Path(args.source) if args.source else default_source)
    if source is None:
        return None
    if sound is not None:
        sound(source)
    registry = registry_or_none(command, args.registry)
    if registry is None:
        return None
    decided = decision_files(args, command)
    if decided is None:
        return None
    return RunInputs(years, source, registry, *decided)
