"""The knowledge folder (`APO_KNOWLEDGE_DIR`, `knowledge/` by default): what every project shares
and what belongs to one project only.

    knowledge/
      shared/               the definition of ready, the story-writing guide: every project
      projects/<key>/       that project's glossary and decision records: that project only
      examples/             sample meeting notes: never indexed unless asked for

The drafting prompt gets the Markdown directly in `shared/` and directly in `projects/<key>/`
(not the decision records below it); the index gets both folders whole. One client's folder
never reaches another project's prompt or index. A folder without `shared/` and `projects/` is
the older flat layout: its three guideline files serve every project.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

SHARED = "shared"
PROJECTS = "projects"
FLAT_GUIDELINES = ("definition-of-ready.md", "story-writing-guide.md", "glossary.md")
# The first line of every shipped sample file; it is for people, not for the model or the index.
_SAMPLE_BANNER = re.compile(r"\A>\s*\*\*Sample\b[^\n]*\n+")


def without_banner(text: str) -> str:
    return _SAMPLE_BANNER.sub("", text, count=1)


def is_skipped_by_default(file: Path, root: Path) -> bool:
    """README files and anything under an `examples/` folder describe the knowledge rather
    than being knowledge; they are indexed only when asked for."""
    parts = file.relative_to(root).parts if file != root else (file.name,)
    return file.name.lower().startswith("readme") or "examples" in parts[:-1]


def owning_project(file: Path) -> str | None:
    """The project whose folder holds `file` (`…/projects/<key>/…` beside a `shared/` folder),
    or None for shared knowledge and files outside a knowledge folder."""
    resolved = file.resolve()
    for ancestor in resolved.parents:
        if ancestor.name == PROJECTS and (ancestor.parent / SHARED).is_dir():
            inside = resolved.relative_to(ancestor).parts
            return inside[0] if len(inside) > 1 else None
    return None


class KnowledgeFolders:
    """The guidance that goes first into a project's drafting prompt, read at each draft so an
    edited file counts from the next `/story` on."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def guidelines(self, project: str) -> str:
        files = self._guideline_files(project)
        return "\n\n".join(
            without_banner(f.read_text(encoding="utf-8")).strip() for f in files if f.is_file()
        )

    def _guideline_files(self, project: str) -> list[Path]:
        shared, own = self._root / SHARED, self._root / PROJECTS / project
        if not shared.is_dir() and not (self._root / PROJECTS).is_dir():
            files = [self._root / name for name in FLAT_GUIDELINES]
            for missing in (f for f in files if not f.is_file()):
                log.warning("knowledge file %s is missing; drafting without it", missing)
            return files
        return [*_top_level_markdown(shared), *_top_level_markdown(own)]


def _top_level_markdown(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        f for f in folder.glob("*.md") if f.is_file() and not f.name.lower().startswith("readme")
    )
