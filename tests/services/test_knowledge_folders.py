"""Knowledge per project and a clean index: what `apo index` takes from a folder, what the
drafting prompt gets per project, duplicates left out, and decisions following their message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain import Actor, MessageRef
from bot.domain.knowledge import DecisionInput
from bot.errors import BotError
from bot.retrieval.embeddings import WordLlamaEmbedder
from bot.services.knowledge.folders import KnowledgeFolders
from bot.storage.decisions import decision_history
from tests.services.knowledge_setup import CLIENT, CLIENT_USER, Knowledge, build_knowledge

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def embedder() -> Iterator[WordLlamaEmbedder]:
    embedder = WordLlamaEmbedder()
    embedder.load()
    yield embedder


@pytest.fixture
def kb(tmp_path: Path, embedder: WordLlamaEmbedder) -> Knowledge:
    return build_knowledge(tmp_path, embedder)


def folder(root: Path) -> Path:
    files = {
        "README.md": "# About this folder\nHow to replace the samples.\n",
        "shared/definition-of-ready.md": "> **Sample** replace me.\n\n# Ready\nCriteria exist.\n",
        "shared/story-writing-guide.md": "# Guide\nOne goal per story.\n",
        "projects/acme/glossary.md": "# Glossary\nKID: the Acme payment reference.\n",
        "projects/acme/decisions/0001-pdfa.md": "# 0001 PDF/A\nInvoices are PDF/A.\n",
        "projects/acme/decisions/README.md": "# Decision records\nOne file each.\n",
        "projects/globex/glossary.md": "# Glossary\nPortal: the Globex customer site.\n",
        "examples/meeting-notes.md": "# Example notes\nThe accountant wants a report.\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def indexed_texts(kb: Knowledge, project: str) -> str:
    return "\n".join(doc.text for doc in kb.index.all({"project": project}))


def test_each_project_gets_the_shared_guidance_and_only_its_own_folder(tmp_path: Path) -> None:
    folders = KnowledgeFolders(folder(tmp_path / "knowledge"))

    acme, globex = folders.guidelines("acme"), folders.guidelines("globex")

    assert "Criteria exist" in acme and "One goal per story" in acme and "KID" in acme
    assert "Criteria exist" in globex and "Portal" in globex
    assert "KID" not in globex and "Portal" not in acme
    assert "Sample" not in acme  # the banner is for people
    assert "PDF/A" not in acme and "replace the samples" not in acme  # records, READMEs


def test_the_older_flat_folder_still_serves_every_project(tmp_path: Path) -> None:
    (tmp_path / "glossary.md").write_text("# Glossary\nKID.\n", encoding="utf-8")

    assert "KID" in KnowledgeFolders(tmp_path).guidelines("globex")


def test_the_shipped_samples_say_they_are_samples() -> None:
    for file in (ROOT / "knowledge").rglob("*.md"):
        if "examples" in file.parts or file.name == "README.md":
            continue
        assert file.read_text(encoding="utf-8").startswith("> **Sample**"), file


def test_index_skips_readmes_examples_and_other_projects(kb: Knowledge, tmp_path: Path) -> None:
    root = folder(tmp_path / "knowledge")

    report = kb.indexer.index_path(root, project="acme")

    assert report.files == 4  # two shared files, the glossary, one decision record
    skipped = " ".join(report.skipped)
    assert "README.md" in skipped and "examples/" in skipped and "projects/globex" in skipped
    texts = indexed_texts(kb, "acme")
    assert "Invoices are PDF/A" in texts and "KID" in texts and "Criteria exist" in texts
    assert "replace the samples" not in texts and "accountant" not in texts
    assert "Portal" not in texts and "Sample" not in texts

    everything = kb.indexer.index_path(root, project="acme", include_all=True)
    assert "accountant" in indexed_texts(kb, "acme") and everything.files == 7
    with pytest.raises(BotError, match="globex"):
        kb.indexer.index_path(root / "projects" / "globex" / "glossary.md", project="acme")


def test_a_passage_already_indexed_is_not_indexed_twice(kb: Knowledge, tmp_path: Path) -> None:
    text = "# Due date\nInvoices are due after 14 days.\n"
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    (tmp_path / "b.md").write_text(text.replace("14 days", "14  DAYS"), encoding="utf-8")

    report = kb.indexer.index_path(tmp_path, project="acme")
    again = kb.indexer.index_path(tmp_path, project="acme")

    assert (report.sections, report.duplicates) == (1, 1)
    assert (again.sections, again.duplicates) == (1, 1)  # re-indexing keeps one copy
    assert len(kb.index.all({"project": "acme"})) == 1


def test_an_edited_message_edits_its_decision_and_a_deleted_one_removes_it(
    kb: Knowledge,
) -> None:
    where = MessageRef(CLIENT, "1.1")
    decision, _ = kb.decisions.record(
        DecisionInput("acme", "Due after 30 days.", CLIENT_USER, "shortcut", CLIENT, "1.1"),
        Actor(CLIENT_USER),
    )

    [edited] = kb.decisions.revise_from_message(where, "Due after 14 days.", editor=CLIENT_USER)
    assert kb.decisions.revise_from_message(where, "Due after 14 days.", editor=CLIENT_USER) == []
    [doc] = kb.index.get([f"decision:{decision.id}"])
    assert edited.text == doc.text == "Due after 14 days."

    [removed] = kb.decisions.revise_from_message(where, None, editor=None)
    assert removed.removed and kb.index.get([f"decision:{decision.id}"]) == []
    assert kb.decisions.revise_from_message(where, None, editor=None) == []
    with kb.db.session() as session:
        history = decision_history(decision.id, session=session)
    assert [(r.action, r.before, r.after) for r in history] == [
        ("edited", "Due after 30 days.", "Due after 14 days."),
        ("removed", "Due after 14 days.", None),
    ]


def test_a_private_copy_never_hides_a_public_passage(kb: Knowledge, tmp_path: Path) -> None:
    text = "# Due date\nInvoices are due after 14 days.\n"
    kb.indexer.index_note(
        1, text, project="acme", title="", channel=CLIENT, private=True, created_at=kb.clock()
    )
    (tmp_path / "due.md").write_text(text, encoding="utf-8")

    public = kb.indexer.index_path(tmp_path / "due.md", project="acme")
    again = kb.indexer.index_note(
        2, text, project="acme", title="", channel=CLIENT, private=True, created_at=kb.clock()
    )

    assert (public.sections, public.duplicates) == (1, 0)  # visible in every channel now
    assert again == 0  # the public copy already reaches that private channel
