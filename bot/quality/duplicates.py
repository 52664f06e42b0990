"""Duplicate stories, within a drafted batch and against the approved backlog (QUS "unique").

Models restate the same need twice when the notes mention it twice, and clients raise in March
what was approved in January. Three tests, cheapest first, and the first that fires decides:

1. exact: the same words once normalised and stripped of template and function words;
2. jaccard (word overlap, scored as Dice): at least `OVERLAP_THRESHOLD` of the content words
   shared, once stemmed and mapped onto one word per synonym group, across English and
   Norwegian (`synonyms.py`, with
   compounds split and cognates spelled alike), so "download my bills" meets "export the
   invoices" and "se forfalte fakturaer" meets "view overdue invoices". Quantifiers, places,
   light verbs and vague manner words are left out; the roles must match, each goal's main
   action must appear in the other, two different numbers keep stories apart, and a number
   only one side states ("three days before") is a detail the other left out;
3. embedding: an injected `similarity(a, b)` (cosine of embeddings) at or above a threshold.
   It is called for every pair the first two tests did not settle, so it should be cheap: the
   caller embeds each text once and caches the vectors. Embedders spread cosines differently,
   so the threshold belongs to the embedder: a similarity object may carry its own as a
   `duplicate_threshold` attribute; otherwise `DEFAULT_EMBEDDING_THRESHOLD` applies.

A pair is reported once, on the later story, naming the earlier one (or the backlog story).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from .roles import head_noun, is_generic
from .shape import goal_text
from .synonyms import canonical, canonical_parts, canonical_text, is_synonym
from .text import STOPWORDS, words
from .types import Check, Finding, StoryDraft
from .verbs import ALL_VERBS
from .vocab import FILLER_WORDS, UNKNOWN_ROLES, VAGUE_WORDS

Method = Literal["exact", "jaccard", "embedding"]
Similarity = Callable[[str, str], float]

OVERLAP_THRESHOLD = 0.72
"""Dice overlap of the goals' canonical words (twice the shared words over both counts) two
stories of the same role and action must reach. Two slices of one feature differ in a
specific word ("export invoices to PDF" / "… to Excel": 0.67); a paraphrase mostly swaps
words for synonyms, which `synonyms.py` maps together, and adds or drops one detail ("pick my
seat on the seat map" / "choose my seat on a map of the hall": 0.75). Dice rather than
Jaccard: one added detail should cost a short goal less than the union makes it cost."""

OTHER_ACTION_THRESHOLD = 0.95
"""The share needed when one goal's main action is missing from the other: "book a tennis
court for Monday" and "cancel a tennis court booking for Monday" share most words but are two
different things to do."""

DEFAULT_EMBEDDING_THRESHOLD = 0.9
"""Cosine above which two stories mean the same. For the local WordLlama embedder
(l2_supercat-256), on 15 paraphrase pairs and 20 pairs of related but different stories written
for calibration (several domains, English and Norwegian): the different pairs reach 0.36-0.895,
the paraphrases 0.21-0.875, so no threshold separates them and 0.9 keeps false alarms at zero;
word overlap after synonym mapping does the main work. Another embedder should bring its own
value as a `duplicate_threshold` attribute of the similarity callable."""
_ACTIONS = frozenset(canonical(verb) for verb in ALL_VERBS)
_UNKNOWN_WORDS = frozenset(w for role in UNKNOWN_ROLES for w in words(role))
_CONNEXTRA = re.compile(
    r"^(?:as an?|som en|som et|som)\s+(?P<role>[^,]+),\s*(?:i want|i'd like|i would like|"
    r"jeg vil|jeg ønsker|vil jeg|ønsker jeg)\s+(?:to\s+|å\s+)?(?P<goal>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# Template words and light verbs ("get an alert" says what "be alerted" says; "receive a
# summary" what "get a summary" says).
_TEMPLATE = frozenset(
    ("want", "like", "ønsker", "gjerne", "able", "kunne", "get", "gets", "få", "får", "make",
     "receive", "receives", "motta", "mottar", "have", "be", "being", "bli")
)  # fmt: skip
# Fillers add no need of their own, and neither does a vague manner word ("på en enkel
# måte"): the unambiguous check judges that one.
_FILLER = FILLER_WORDS | frozenset(w for w in VAGUE_WORDS if " " not in w and not is_synonym(w))
# Light verbs hand the action to the noun after them: "sende søknad" is applying, "make a
# booking" is booking, "gi beskjed" is notifying.
_LIGHT_VERBS = frozenset(("send", "submit", "do", "give", "gi", "gjøre", "gjør", "sende"))
# After an article a verb form is a noun: "get an email reminder" asks to be reminded.
_ARTICLES = frozenset(("a", "an", "the", "en", "et", "ei"))
_NUMBER = re.compile(r"^\d+$")
_BENEFIT = re.compile(r",?\s*\b(?:so that|slik at|sånn at|for at)\b.*\Z", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """Story `index` duplicates another story of the batch or an approved backlog story.

    Exactly one of `other_index` (a later story in the same batch) and `backlog_id` is set.
    `score` is 1.0 for exact matches, the word overlap for jaccard, the similarity otherwise.
    """

    index: int
    other_index: int | None
    backlog_id: str | None
    method: Method
    score: float


def comparison_text(story: StoryDraft) -> str:
    """The text a story is compared by: "As a {role}, I want {goal}".

    The title is left out on purpose: it is a label the model invents and varies for the same
    need. Build backlog texts with this function too, so both sides have the same shape.
    """
    role = story.role.strip()
    goal = goal_text(story)
    if not role or role.casefold() in UNKNOWN_ROLES:
        return f"I want to {goal}"
    return f"As a {role}, I want to {goal}"


@dataclass(frozen=True, slots=True)
class _Keys:
    text: str
    exact: tuple[str, ...]
    content: frozenset[str]  # the goal's words, canonical
    role: str | None  # the role's head noun, canonical; None when unknown or generic
    action: str | None  # the goal's first action verb, canonical: what the story asks to do
    numbers: frozenset[str]  # "30 days", "tre dager": a different number is a different need
    detail: frozenset[str]  # the numbers and the unit after each: "3 days" in "3 days before"
    slots: frozenset[tuple[str, str]]  # (word before, content word): "to pdf", "per region"


def _content_words(text: str) -> list[tuple[str, bool, str]]:
    """The goal's canonical words in order, without function, template and filler words, each
    with whether it comes straight after an article (and so is a noun, not the action) and
    the word before it (its slot: "to" in "export to PDF")."""
    skip = STOPWORDS | _UNKNOWN_WORDS | _TEMPLATE | _FILLER
    tokens = words(canonical_text(text))
    return [
        (key, index > 0 and tokens[index - 1] in _ARTICLES, tokens[index - 1] if index else "")
        for index, w in enumerate(tokens)
        if (len(w) > 1 or w.isdigit()) and w not in skip
        for key in canonical_parts(w)
    ]


def _keys(text: str) -> _Keys:
    means = _BENEFIT.sub("", text)
    exact = tuple(w for w in words(means) if w not in STOPWORDS and w not in _UNKNOWN_WORDS)
    parsed = _CONNEXTRA.match(means.strip())
    role, goal = (parsed.group("role"), parsed.group("goal")) if parsed else ("", means)
    head = head_noun(role) if role and not is_generic(role) else None
    role_key = canonical_parts(head)[-1] if head else None  # "lagerarbeider" -> "worker"
    found = _content_words(goal)
    content = frozenset(w for w, _, _ in found)
    slots = frozenset((before, w) for w, _, before in found)
    actions = [i for i, (w, noun, _) in enumerate(found) if w in _ACTIONS and not noun]
    action = found[actions[0]][0] if actions else None
    if actions and action in _LIGHT_VERBS and actions[0] + 1 < len(found):
        following = found[actions[0] + 1][0]
        action = following if following in _ACTIONS else action
    numbers = frozenset(w for w in content if _NUMBER.match(w))
    detail = frozenset(
        w
        for index, (w, _, _) in enumerate(found)
        if _NUMBER.match(w) or (index and _NUMBER.match(found[index - 1][0]))
    )
    return _Keys(text, exact, content, role_key, action, numbers, detail, slots)


# Prepositions that open the slot a slice of a feature fills: "to PDF", "per region", "as CSV".
_SLOT_PREPOSITIONS = frozenset(
    ("to", "per", "as", "by", "in", "into", "for", "on", "via", "til", "som", "på", "i", "etter",
     "med", "with")
)  # fmt: skip


def _alternatives(a: _Keys, b: _Keys) -> bool:
    """Whether the two goals differ by filling one prepositional slot differently: "export to
    PDF" and "export to Excel", "revenue per region" and "per product" are two slices of a
    feature, where "on the seat map when I buy" and "on a map of the hall" only add a detail."""
    only_a = {before for before, w in a.slots if w not in b.content}
    only_b = {before for before, w in b.slots if w not in a.content}
    return bool(only_a & only_b & _SLOT_PREPOSITIONS)


def embedding_threshold(similarity: Similarity | None, threshold: float | None = None) -> float:
    """The threshold to use: the caller's, else the similarity's own, else the default."""
    if threshold is not None:
        return threshold
    own = getattr(similarity, "duplicate_threshold", None)
    return float(own) if isinstance(own, int | float) else DEFAULT_EMBEDDING_THRESHOLD


def _compare(
    a: _Keys, b: _Keys, similarity: Similarity | None, threshold: float
) -> tuple[Method, float] | None:
    if a.exact and a.exact == b.exact:
        return "exact", 1.0
    same_role = a.role is None or b.role is None or a.role == b.role
    # "30 days overdue" and "60 days overdue" are two needs.
    same_numbers = not a.numbers or not b.numbers or a.numbers == b.numbers
    # A number stated on one side only is a detail the other left out: "three days before".
    left = a.content - a.detail if not b.numbers else a.content
    right = b.content - b.detail if not a.numbers else b.content
    union = left | right
    if union and same_role and same_numbers:
        shared = len(left & right)
        overlap = 2 * shared / (len(left) + len(right))
        # Each goal's main action must be asked for in the other too: "book a court" and
        # "cancel a court booking" share "book", but not "cancel".
        same_action = (a.action is None or a.action in b.content) and (
            b.action is None or b.action in a.content
        )
        if overlap >= (
            OVERLAP_THRESHOLD if same_action else OTHER_ACTION_THRESHOLD
        ) and not _alternatives(a, b):
            return "jaccard", round(overlap, 3)
        if same_action and shared >= 3 and shared == min(len(left), len(right)):
            return "jaccard", round(overlap, 3)  # one goal says all of the other and more
    if similarity is not None:
        score = float(similarity(a.text, b.text))
        if score >= threshold:
            return "embedding", round(score, 3)
    return None


def find_duplicates(
    stories: Sequence[StoryDraft],
    backlog: Sequence[tuple[str, str]] = (),
    similarity: Similarity | None = None,
    threshold: float | None = None,
) -> list[DuplicateMatch]:
    """Every duplicate pair: within the batch (each pair once, lower index first), then each
    story against the backlog, given as (id, story text) pairs, best match first per story."""
    threshold = embedding_threshold(similarity, threshold)
    drafts = [_keys(comparison_text(story)) for story in stories]
    approved = [(story_id, _keys(text)) for story_id, text in backlog]
    matches: list[DuplicateMatch] = []
    for i, left in enumerate(drafts):
        for j in range(i + 1, len(drafts)):
            found = _compare(left, drafts[j], similarity, threshold)
            if found:
                matches.append(DuplicateMatch(i, j, None, *found))
    for i, draft in enumerate(drafts):
        against_backlog = [
            DuplicateMatch(i, None, story_id, *found)
            for story_id, keys in approved
            if (found := _compare(draft, keys, similarity, threshold))
        ]
        matches.extend(sorted(against_backlog, key=lambda m: -m.score))
    return matches


def duplicate_findings(matches: Sequence[DuplicateMatch], count: int) -> list[list[Finding]]:
    """Per story (of `count`), the unique-check findings the matches imply.

    A pair within the batch is reported once, on the later story, pointing at the earlier one:
    the reviewer keeps the first and decides about the second. Exact copies are errors; near
    matches are warnings, since two similar stories may still be meant as separate slices.
    """
    result: list[list[Finding]] = [[] for _ in range(count)]
    for match in matches:
        severity: Literal["error", "warning"] = "error" if match.method == "exact" else "warning"
        how = _describe(match)
        if match.other_index is not None:
            result[match.other_index].append(
                Finding(
                    Check.UNIQUE,
                    severity,
                    f"Repeats story {match.index + 1} of this batch ({how}): merge the two, "
                    "or reject this one.",
                )
            )
        else:
            result[match.index].append(
                Finding(
                    Check.UNIQUE,
                    severity,
                    f"Repeats approved backlog story {match.backlog_id} ({how}): reject this "
                    "one, or say in the goal what is new.",
                )
            )
    return result


def later_of(match: DuplicateMatch) -> int:
    """The index of the story a match is reported on: the later one of a pair in the batch."""
    return match.index if match.other_index is None else match.other_index


def _describe(match: DuplicateMatch) -> str:
    if match.method == "exact":
        return "same wording"
    if match.method == "jaccard":
        return f"{match.score:.0%} of the words shared"
    return f"similar meaning, score {match.score:.2f}"
