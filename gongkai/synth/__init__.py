"""The synthetic report generator: realistic reports in every layout family, with truth.

``generate(SynthOptions(...))`` writes reports, one truth file per report and a manifest of
injected errors; ``gongkai synth`` is its command line.  See ``generate.py`` for the run,
``figures.py`` for the numbers, ``narrative.py`` for the prose, ``document.py`` and
``layouts.py`` for the look of a file, and ``inject.py`` for the errors.
"""

from gongkai.synth.generate import (
    PLANNED_FORMATS,
    TEXT_FORMATS,
    GeneratedReport,
    SynthOptions,
    generate,
)
from gongkai.synth.inject import RULE_IDS
from gongkai.synth.layouts import LAYOUTS

__all__ = ["LAYOUTS", "PLANNED_FORMATS", "RULE_IDS", "TEXT_FORMATS", "GeneratedReport",
           "SynthOptions", "generate"]
