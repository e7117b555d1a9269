"""What several subcommands share: their common options, a parser with subcommands of its own,
and the checks of their arguments that end a command with status 2 and one line saying why."""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_WAREHOUSE = "warehouse/gongkai.duckdb"


def add_warehouse(p, help: str = "the published warehouse") -> None:
    """``--warehouse FILE`` (default: warehouse/gongkai.duckdb)."""
    p.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, metavar="FILE",
                   help=f"{help} (default: {DEFAULT_WAREHOUSE})")


def add_out(p) -> None:
    """``--out DIR``, the report folder (default: out/)."""
    p.add_argument("--out", default="out", metavar="DIR", help="report folder (default: out/)")


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
