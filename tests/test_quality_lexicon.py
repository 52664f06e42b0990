"""The general vocabulary: translations meet, related but different words stay apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.quality import synonyms
from bot.quality.lexicon import GROUPS
from bot.quality.lexicon_general import GENERAL_GROUPS, GENERAL_PHRASES
from bot.quality.synonyms import canonical, canonical_parts, canonical_text


def _clear_caches() -> None:
    for cached in (synonyms._canon, synonyms._core_keys, synonyms._tails):
        cached.cache_clear()


@pytest.fixture
def core_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`synonyms` as it is without the general vocabulary."""
    monkeypatch.setattr(synonyms, "GENERAL_GROUPS", ())
    _clear_caches()
    yield
    monkeypatch.undo()
    _clear_caches()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("fryse", "freeze"),
        ("frosset", "frozen"),
        ("midlertidig", "temporarily"),
        ("sanntid", "realtime"),
        ("umiddelbart", "immediately"),
        ("hente", "fetch"),
        ("hentet", "retrieve"),
        ("godkjent", "approved"),
        ("avvist", "rejected"),
        ("solgt", "sold"),
        ("gikk", "went"),
        ("låst", "locked"),
        ("strekkode", "barcode"),
        ("årsoppgave", "årsoppgaven"),
        ("skattemelding", "selvangivelse"),
        ("holdeplass", "stop"),
        ("egne", "own"),
        ("andre", "other"),
        ("purring", "reminder"),
        ("tilbud", "quote"),
        ("mandag", "monday"),
        ("tjue", "20"),
    ],
)
def test_translations_share_a_key(a: str, b: str) -> None:
    assert canonical(a) == canonical(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("cancel", "delete"),
        ("upload", "download"),
        ("see", "compare"),
        ("approve", "sign"),
        ("freeze", "block"),
        ("freeze", "lock"),
        ("lock", "block"),
        ("track", "follow"),
        ("import", "export"),
        ("archive", "delete"),
        ("start", "stop"),
        # Stems that look alike: "not" is no "note", "son" no "sone", "gjelder" no "gjeld".
        ("not", "note"),
        ("son", "zone"),
        ("gjelder", "debt"),
    ],
)
def test_related_but_different_words_stay_apart(a: str, b: str) -> None:
    assert canonical(a) != canonical(b)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i dag", "today"),
        ("i går", "yesterday"),
        ("hvor mye koster det", "howmuch koster det"),
        ("slå sammen to kontoer", "merge to kontoer"),
        ("pick up the parcel", "fetch the parcel"),
    ],
)
def test_general_phrases_become_one_word(text: str, expected: str) -> None:
    assert canonical_text(text) == expected


def test_each_general_group_maps_onto_one_word() -> None:
    """A word whose stem another group already holds would leave its group silently."""
    split = {
        group: {word: canonical(word) for word in group.split()}
        for group in GENERAL_GROUPS
        if len({canonical(word) for word in group.split()}) > 1
    }
    assert split == {}


def test_general_phrases_are_folded_and_do_not_override_the_lexicon() -> None:
    assert all(key == key.casefold().strip() for key in GENERAL_PHRASES)
    assert synonyms.PHRASES["laste ned"] == "download"


def test_the_lexicon_keeps_its_groups(core_only: None) -> None:
    """The general vocabulary adds words; it never moves a word of `lexicon.py`."""
    before = {word: canonical(word) for group in GROUPS for word in group.split()}
    _clear_caches()
    synonyms.GENERAL_GROUPS = GENERAL_GROUPS
    after = {word: canonical(word) for word in before}
    assert {w: (before[w], after[w]) for w in before if before[w] != after[w]} == {}


@pytest.mark.parametrize("word", ["accurate", "engineering", "modules", "dedicated"])
def test_short_general_words_do_not_split_unrelated_words(word: str) -> None:
    assert len(canonical_parts(word)) == 1
