"""The one entry point: ``gongkai run | parse | check | synth | template | render | sql``."""

from __future__ import annotations

import argparse
import importlib
import sys

from gongkai import __version__
from gongkai.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="gongkai",
        description="政府信息公开工作年度报告：读取、核对、评分排名并生成报告。"
                    " Read, check, rank and report township annual reports.",
    )
    parser.add_argument("--version", action="version", version=f"gongkai {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"gongkai.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gongkai.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
