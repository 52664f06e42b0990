"""The build step that puts `prompts/` and the shared sample knowledge into the wheel.

Everything else about the package is in pyproject.toml. The folders stay at the top of the
repository (people edit them there; an editable install reads them there); this copies them
into `bot/_data/` of the build, so a plain `pip install .` carries them (`bot/resources.py`
finds either).
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _shipped() -> dict[str, tuple[str, ...]]:
    # Read from bot/resources.py without importing the package (its dependencies may be absent
    # from the build environment): the literal assigned to SHIPPED.
    tree = ast.parse((ROOT / "bot" / "resources.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "SHIPPED" for target in node.targets
        ):
            shipped = ast.literal_eval(node.value)
            assert isinstance(shipped, dict)
            return shipped
    raise RuntimeError("bot/resources.py defines no SHIPPED")


class BuildWithData(build_py):
    """build_py, plus copies of the shipped folders under bot/_data in the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the repository's folders themselves
        target = Path(self.build_lib) / "bot" / "_data"
        for folder, patterns in _shipped().items():
            copied = 0
            for pattern in patterns:
                for file in sorted((ROOT / folder).glob(pattern)):
                    if file.is_file():
                        destination = target / folder / file.relative_to(ROOT / folder)
                        destination.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(file, destination)
                        copied += 1
            if not copied:
                raise RuntimeError(f"{folder}/ has no files to ship; is this the repository?")


setup(cmdclass={"build_py": BuildWithData})
