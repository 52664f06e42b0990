"""Where the files the bot ships beside its code are: the prompts and the sample knowledge.

The top-level `prompts/` and `knowledge/` folders of the repository are the source of truth.
A wheel carries copies of them inside the package (`bot/_data/`, written by the build step in
`setup.py`), because a plain `pip install .` (what a container build does) leaves the source
tree behind. An editable install and a source checkout have no `_data` and read the folders
themselves, so an edited prompt counts at once.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DATA = Path(__file__).resolve().parent / "_data"
SOURCE_ROOT = Path(__file__).resolve().parents[1]
# What the build step copies into the wheel (folder -> the parts of it that ship).
SHIPPED = {"prompts": ("*.md",), "knowledge": ("README.md", "shared/**/*.md", "examples/**/*")}


def resource_dir(name: str) -> Path:
    """The shipped folder `name` (`prompts` or `knowledge`): the wheel's copy when installed,
    the repository's folder when run from a checkout or an editable install."""
    if name not in SHIPPED:
        raise ValueError(f"no shipped folder called {name!r}")
    packaged = PACKAGE_DATA / name
    return packaged if packaged.is_dir() else SOURCE_ROOT / name
