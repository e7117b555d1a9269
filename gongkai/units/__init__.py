"""The unit registry: a city's (or a province's) township-level units over the years.

A registry is a CSV file, the office's own data (``--registry FILE``, ``GONGKAI_REGISTRY``,
or the bundled Liuyang file). ``load`` reads and validates it, ``registry`` answers which
unit a code or a printed name stands for in a year, ``diff`` compares two files and
``tables`` gives the rows the warehouse stores. Documented in docs/registry.md.
"""

from gongkai.units.load import (
    REGISTRY_ENV,
    default_registry,
    load_registry,
    read_registry,
    registry_path,
    registry_scope,
    write_registry,
)
from gongkai.units.registry import (
    UNIT_TYPES,
    Registry,
    Resolution,
    Unit,
    UnitChange,
    normalize_name,
)
from gongkai.units.validate import Problem, RegistryError

__all__ = [
    "REGISTRY_ENV",
    "UNIT_TYPES",
    "Problem",
    "Registry",
    "RegistryError",
    "Resolution",
    "Unit",
    "UnitChange",
    "default_registry",
    "load_registry",
    "normalize_name",
    "read_registry",
    "registry_path",
    "registry_scope",
    "write_registry",
]
