"""Subcommands of the ``gongkai`` command line, one module each.

Each module defines ``register(subparsers)``, which adds its parser and sets
``func`` to a callable taking the parsed arguments and returning the exit status.
"""

COMMANDS = ("run", "parse", "check", "synth", "template", "render", "sql", "units", "serve",
            "review", "correction")
