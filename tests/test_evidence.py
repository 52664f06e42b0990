"""The evidence each passage carries, the answer/abstain decision on it, and the keyword terms
(Snowball stemming and published stopword lists) in English and Norwegian."""

from __future__ import annotations

import pytest

from bot.retrieval.evidence import (
    DEFAULT_MIN_CONFIDENCE,
    decide,
    exact_matches,
    features,
    identifiers,
    term_overlap,
)
from bot.retrieval.terms import STOPWORDS, query_words, stems, tokenize
from bot.retrieval.types import Passage


def passage(
    text: str = "Invoices are due after 14 days.",
    *,
    similarity: float = 0.3,
    vector_rank: int | None = 1,
    keyword_rank: int | None = None,
    overlap: float = 0.0,
    exact: tuple[str, ...] = (),
) -> Passage:
    return Passage(
        id="d",
        text=text,
        metadata={},
        similarity=similarity,
        keyword_score=0.0,
        fused_score=0.0,
        vector_rank=vector_rank,
        keyword_rank=keyword_rank,
        term_overlap=overlap,
        exact_matches=exact,
    )


# -- the signals -------------------------------------------------------------------------------


def test_identifiers_are_ticket_ids_numbers_and_names_inside_a_sentence() -> None:
    found = identifiers("What did Kari decide in NLH-33? Is Sveve on 25 % VAT")
    assert found == ("nlh-33", "25", "kari", "sveve", "vat")
    assert identifiers("What is the due date? How long?") == ()  # sentence openers are not names


def test_exact_matches_are_whole_words_only() -> None:
    assert exact_matches(("nlh-33", "kari"), "Kari agreed in NLH-33.") == ("nlh-33", "kari")
    assert exact_matches(("nlh-33",), "see NLH-330") == ()
    assert exact_matches(("kari",), "Karine agreed") == ()


def test_term_overlap_is_the_share_of_question_terms_held() -> None:
    asked = set(tokenize("forfallsdato fakturaene"))
    assert term_overlap(asked, "Due date (forfallsdato) of an invoice (faktura)") == 1.0
    assert term_overlap(asked, "Due date of an invoice") == 0.0
    assert term_overlap(set(), "anything") == 0.0


def test_features_read_agreement_identifiers_and_missing_ids() -> None:
    agree = passage(vector_rank=1, keyword_rank=1, exact=("nlh-14",), overlap=0.5)
    assert features("What is NLH-14?", [agree]) == (0.3, 0.5, 1.0, 1.0, 0.0)
    apart = passage(vector_rank=1, keyword_rank=2)
    assert features("What is NLH-999?", [apart]) == (0.3, 0.0, 0.0, 0.0, 1.0)
    assert features("what is it", []) == (-1.0, 0.0, 0.0, 0.0, 0.0)


# -- the decision: each signal moves it --------------------------------------------------------


def confidence(**kw: object) -> float:
    return decide("What is the due date in NLH-14?", [passage(**kw)]).confidence  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weak", "strong"),
    [
        ({"similarity": 0.2}, {"similarity": 0.6}),
        ({"overlap": 0.0}, {"overlap": 1.0}),
        ({"exact": ()}, {"exact": ("nlh-14",)}),  # found the ticket id, and nothing missing
    ],
)
def test_more_evidence_means_more_confidence(
    weak: dict[str, object], strong: dict[str, object]
) -> None:
    assert confidence(**strong) > confidence(**weak)


def test_a_keyword_match_answers_where_cosine_alone_would_not() -> None:
    glossary = passage("Due date (forfallsdato): the last day to pay.", similarity=0.3, overlap=1.0)
    assert decide("hva er forfallsdato", [glossary]).decision == "answer"
    assert decide("hva er forfallsdato", [passage(similarity=0.3)]).decision == "abstain"


def test_abstains_with_a_reason_when_nothing_or_little_is_found() -> None:
    nothing = decide("Which pizza place do we order from?", [])
    assert (nothing.decision, nothing.passages) == ("abstain", ())
    assert nothing.reason == "nothing in scope matches the question"
    weak = decide("What did we decide in NLH-999?", [passage(similarity=0.25)])
    assert weak.decision == "abstain" and "none of its ids/names found" in weak.reason
    assert weak.confidence < DEFAULT_MIN_CONFIDENCE


def test_the_threshold_is_a_setting() -> None:
    strong = [passage(similarity=0.6, overlap=1.0, keyword_rank=1)]
    found = decide("When are invoices due?", strong)
    assert found.decision == "answer" and "agree on the first passage" in found.reason
    assert decide("When are invoices due?", strong, min_confidence=0.999).decision == "abstain"


# -- terms: Snowball stems and published stopwords, both languages -----------------------------


@pytest.mark.parametrize(
    "forms",
    [
        ("faktura", "fakturaen", "fakturaer", "fakturaene"),  # Norwegian definite/plural
        ("purring", "purringer", "purringen"),
        ("kunde", "kunder", "kundene"),
        ("reminder", "reminders"),  # English plural
        ("payment", "payments"),
        ("invoice", "invoices", "invoiced"),
    ],
)
def test_inflected_forms_share_one_stem(forms: tuple[str, ...]) -> None:
    assert len({stems(form) for form in forms}) == 1, [stems(f) for f in forms]


def test_stopwords_come_from_the_published_lists_of_both_languages() -> None:
    assert {"the", "which", "hva", "hvordan", "ikke", "korleis"} <= STOPWORDS
    assert "faktura" not in STOPWORDS and "invoice" not in STOPWORDS
    assert tokenize("Hva er det som skal til? What is it that we should do?") == []
    assert tokenize("hva er forfallsdato") == ["forfallsdato"]


def test_numbers_and_ticket_ids_are_not_stemmed() -> None:
    assert stems("142") == ("142",)
    assert tokenize("ACME-142 v2") == [*stems("acme"), "142", "v2", "acme-142"]
    assert query_words("Hvordan sendes fakturaene for ACME-142?") == [
        "sendes",
        "fakturaene",
        "acme-142",
    ]
