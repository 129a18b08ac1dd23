"""Build step: ship the top-level rules/ inside the package as checker/rules/.

Everything else about the build is declared in pyproject.toml. The built-in
rules stay in the repository's top-level rules/, where coordinators find and
edit them; a wheel (or `pip install .`) gets a copy of them as package data, so
an installed `malkoll` reads them through importlib.resources (see
checker.engine.default_rules_dir). An editable install copies nothing: it
reads the checkout's rules/ directly, so an edit there shows at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RULES_SOURCE = Path(__file__).resolve().parent / "rules"
# Where the rules land inside the built package (checker.engine.SHIPPED_RULES).
RULES_TARGET = ("checker", "rules")


class BuildPyWithRules(build_py):
    """build_py that also copies rules/*.rules into the built checker package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib).joinpath(*RULES_TARGET)
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted(RULES_SOURCE.glob("*.rules")):
            shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": BuildPyWithRules})
