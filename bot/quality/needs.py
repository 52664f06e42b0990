"""What a sentence of the notes is: a need, an open item, or neither.

A need asks for something the product should do: with a modal ("must", "skal", "vi trenger"),
as an imperative ("Sort the list by date", "Vis fakturaene"), or as a problem to solve
("Drivers can't see …", "Listen mangler …"). An open item is a question or a point marked
undecided. Everything else (decisions, requests rejected or put off, action items, chatter) is
neither. Open and rejected markers win over need cues: "TBD whether drivers must sign" is open,
"we don't need SSO yet" is not a need.
"""

from __future__ import annotations

import re
from typing import Literal

from .cues import (
    CHATTER,
    DECISION_MARKERS,
    NEED_CUES,
    NEGATED_NEEDS,
    OPEN_MARKERS,
    PROBLEM_CUES,
    REJECTED_MARKERS,
    REQUEST_QUESTIONS,
)
from .sentences import NoteSentence, strip_speaker
from .text import content_words, fold, normalise, phrase_pattern, words
from .verbs import ENGLISH_VERBS, NORWEGIAN_VERBS

Kind = Literal["need", "open", "other"]

# "Kari will send the logo", "Ola to check the API": a person's task, not a product need.
_ACTION_ITEM = re.compile(
    r"^[A-ZÆØÅ][a-zæøå]*[a-rt-zæøå](?:\s+[A-ZÆØÅ][a-zæøå]+)?\s+(?:will|to|sender|sjekker)\s"
)
_REJECTION_REPLY = re.compile(
    r"^(?:(?:no|nope|nei)(?:[,.!;:]|$)|(?:not now|ikke nå|rejected|avvist|dropped|droppet|"
    r"parked|parkert)\b)"
)
# "That is out of scope", "det tar vi senere", "we'll park it": a reply about what came before.
_REFERS_BACK = re.compile(
    r"\b(?:that|this|it|det|dette|den)(?:'s|\s+(?:is|was|will|would|can|goes|er|var|blir|"
    r"tar|kan|må|skal|får|går))\b|\b(?:do|drop|park|skip|postpone|defer|tar|dropper|"
    r"parkerer|utsetter)\s+(?:it|that|this|det|dette|den)\b|\b(?:tar|gjør)\s+vi\s+(?:det|dette)\b"
)
# A reply that settles a question on the spot: "Yes, the red one.", "Nei, ikke nå."
_ANSWER = re.compile(
    r"^(?:yes|yeah|yep|no|nope|correct|exactly|right|sure|ja|jo|nei|riktig|stemmer|akkurat)\b"
)
# "Sorry, you cut out, which depot?": asking to hear something again, not an open point.
_CLARIFY = re.compile(r"^(?:sorry|pardon|come again|unnskyld|beklager|hæ)\b")
# Words that may open a spoken sentence before its verb: "And show …", "Og vis …", "Oh, …".
_LEAD_FILLERS = frozenset(
    ("and", "also", "plus", "then", "oh", "ok", "okay", "so", "um", "uh", "well", "please",
     "yes", "yeah", "yep", "right", "sure", "og", "også", "så", "dessuten", "altså",
     "vennligst", "eh", "ehm", "ja", "jo")
)  # fmt: skip
# A chore that keeps coming back: "drivers keep calling the office", "ringer hele tiden".
# Only chores count: "sales keep growing" is a status update, not a problem to solve.
_CHORES_EN = r"(?:call|phon|ask|email|mail|text|forget|miss|wait|search|look|chas|print|typ|check)"
_CHORES_NO = (
    r"(?:ringer|spør|spørre|maser|mailer|glemmer|mister|venter|leter|purrer|skriver|sjekker"
    r"|printer)"
)
_RECURRING = re.compile(
    rf"\bkeeps?\s+(?:on\s+)?{_CHORES_EN}\w*ing\b"
    rf"|\b{_CHORES_EN}\w*\b.*\b(?:all the time|over and over|again and again)\b"
    rf"|\b{_CHORES_NO}\b.*\b(?:hele tiden|gang på gang|stadig)\b"
    rf"|\bstadig\s+{_CHORES_NO}\b"
)
# A problem someone has today, stated as what people don't get, see or know: "Today customers
# don't know who handles their claim", "Technicians never get the checklist", "passasjerene
# finner ikke ut …". The subject is people (a plural or a Norwegian definite noun), not "we"
# deciding, and the verb one of perceiving, knowing or getting: "servers don't crash" is not.
_LACKING = (
    r"(?:know|get|see|find|understand|remember|notice|hear|receive|reach|have)"
    r"|(?:vet|får|ser|finner|forstår|husker|merker|hører|mottar|rekker|har)"
)
_PEOPLE_FAIL = re.compile(
    r"^(?:(?:eh|ehm|um|uh|so|and|also|og|så|altså|today|currently|right now|i dag|nå)\W+)*"
    r"(?:the\s+|our\s+|many\s+|most\s+)?(?:\w+\s+)?(?P<who>\w+s|\w+(?:ene|erne|ne))\s+"
    rf"(?:(?:don't|do not|doesn't|does not|never|rarely|still don't|often don't)\s+{_LACKING}"
    rf"|(?:{_LACKING})\s+(?:ikke|aldri|sjelden))\b"
)
_NOT_PEOPLE = frozenset(("we", "vi", "this", "that", "it", "things", "ts", "ss"))
_NOT_IMPERATIVE_NEXT = frozenset(
    ("of", "for", "from", "is", "are", "was", "were", "has", "at", "er", "var", "har", "av",
     "fra", "til")
)  # fmt: skip
_IMPERATIVES = (
    frozenset(ENGLISH_VERBS - {"report", "order", "list", "message", "email", "record"})
    | NORWEGIAN_VERBS
    | frozenset(v[:-1] for v in NORWEGIAN_VERBS if v.endswith("e") and len(v) > 4)
    | {"vis", "send", "lag", "legg", "gi"}
)
_PATTERNS = {
    name: phrase_pattern(phrases)
    for name, phrases in {
        "need": NEED_CUES,
        "problem": PROBLEM_CUES,
        "request": REQUEST_QUESTIONS,
        "open": OPEN_MARKERS,
        "rejected": REJECTED_MARKERS,
        "negated": NEGATED_NEEDS,
        "decision": DECISION_MARKERS,
        "chatter": CHATTER,
    }.items()
}


def _has(name: str, text: str) -> bool:
    return bool(_PATTERNS[name].search(text))


def rejects_previous(sentence: str, previous: str = "") -> bool:
    """Whether a sentence turns down or puts off what the sentence before it asked for:
    "No, not this year.", "That is out of scope.", "Parkert til fase 2.", or one that names
    the same thing again: "What about refunds?" - "Refunds we skip for now." """
    text = normalise(strip_speaker(sentence))
    if _REJECTION_REPLY.match(text):
        return True
    marked = _has("rejected", text) or _has("negated", text)
    short = len(words(text)) <= 8
    repeats = bool(content_words(text) & content_words(normalise(strip_speaker(previous))))
    return marked and (
        bool(_REFERS_BACK.search(text)) or repeats or (short and _has("rejected", text))
    )


def _imperative(tokens: list[str]) -> bool:
    """Whether the sentence opens with an imperative, after "and", "also", "og" and the like."""
    while tokens and tokens[0] in _LEAD_FILLERS:
        tokens = tokens[1:]
    return len(tokens) >= 2 and tokens[0] in _IMPERATIVES and tokens[1] not in _NOT_IMPERATIVE_NEXT


def _action_item(body: str, tokens: list[str]) -> bool:
    return bool(_ACTION_ITEM.match(body.strip())) and tokens[0] not in _IMPERATIVES


def classify(sentence: NoteSentence) -> Kind:
    """A need, an open item, or neither, judged from the sentence and its section.

    Markers (open, rejected, decided) are looked for in the whole sentence, a leading label
    such as "Pending:" or "Beslutning:" included; the need itself in what follows a speaker's
    name or a timestamp."""
    body = strip_speaker(sentence.text)
    whole = fold(sentence.text)
    text = normalise(body)
    tokens = words(text)
    if len(tokens) < 2:
        return "other"
    if sentence.section == "open" or _has("open", whole):
        return "open"
    is_question = body.rstrip().endswith("?")
    if _has("chatter", text) and not _has("need", text) and not _imperative(tokens):
        return "other"
    if is_question and _CLARIFY.match(text) and not _has("request", text):
        return "other"
    if is_question and not _has("request", text):
        return "open"
    if sentence.section in ("rejected", "actions") or _has("rejected", whole):
        return "other"
    if _has("negated", whole) or _has("decision", whole) or sentence.section == "decisions":
        return "other"
    if _action_item(body, tokens):
        return "other"
    if len(tokens) < 3 and sentence.section != "needs":
        return "other"
    if sentence.section == "needs" or is_question:
        return "need"
    if _has("need", text) or _has("problem", text) or _RECURRING.search(text):
        return "need"
    if (failing := _PEOPLE_FAIL.match(text)) and failing.group("who") not in _NOT_PEOPLE:
        return "need"
    label, colon, rest = body.partition(":")
    if colon and len(words(label)) <= 4:
        tokens = words(rest)  # "Update on the sprint: …" is a label, not an imperative
    if _imperative(tokens):
        return "need"  # "Sort the list by due date", "Vis fakturaene øverst", "Og send …"
    return "other"


def classify_notes(sentences: list[NoteSentence]) -> list[Kind]:
    """`classify` for each sentence, with a need turned down by the next sentence dropped."""
    kinds = [classify(s) for s in sentences]
    for index in range(len(sentences) - 1):
        asked, reply = sentences[index], sentences[index + 1]
        if kinds[index] == "other" or reply.heading:
            continue
        if rejects_previous(reply.text, asked.text):
            kinds[index] = "other"
        elif not asked.text.rstrip().endswith("?"):
            continue
        elif (
            kinds[index] == "open"
            and kinds[index + 1] != "open"
            and _ANSWER.match(normalise(strip_speaker(reply.text)))
        ):
            kinds[index] = "other"  # a question answered on the spot
        elif kinds[index + 1] == "open" and not reply.text.rstrip().endswith("?"):
            kinds[index] = "open"  # a request the reply leaves undecided
    return kinds
