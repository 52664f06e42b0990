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

from .sentences import NoteSentence, strip_speaker
from .text import content_words, fold, normalise, phrase_pattern, words
from .verbs import ENGLISH_VERBS, NORWEGIAN_VERBS

Kind = Literal["need", "open", "other"]

NEED_CUES = (
    "must", "should", "need", "needs", "needed", "want", "wants", "would like", "we'd like",
    "they'd like", "has to", "have to", "require", "requires", "required", "requirement",
    "it would be good", "it would be nice", "it would be great", "would help", "would be useful",
    "should be possible", "should be able", "ask for", "asks for", "asked for", "wish",
    "wishes", "important", "expect", "expects", "shall", "request", "requests", "requested",
    "skal", "må", "bør", "trenger", "trengs", "ønsker", "ønske", "ønsket", "vil ha",
    "vil gjerne", "vil at", "vil kunne", "kunne tenke", "om vi kunne", "om de kunne",
    "om man kunne", "hadde vært fint", "hadde vært bra", "hadde vært nyttig", "behov", "krav",
    "savner", "mangler", "viktig", "ber om", "ideally", "preferably", "ideelt sett", "helst",
)  # fmt: skip

PROBLEM_CUES = (
    # A need stated as the problem it solves.
    "can't", "cannot", "can not", "couldn't", "unable to", "not able to", "no way to",
    "there is no", "there's no", "isn't possible", "is not possible", "not possible to",
    "doesn't show", "don't see", "doesn't see", "can't see", "hard to", "difficult to",
    "takes too long", "too slow", "too many clicks", "keeps forgetting", "is missing",
    "are missing", "lacks", "complain", "complained", "complains", "struggle", "struggles",
    "kan ikke", "får ikke", "klarer ikke", "ikke mulig", "vanskelig å", "tar for lang tid",
    "finnes ikke", "ser ikke", "det er ingen", "det finnes ingen", "klager", "sliter med",
    "har ingen måte", "forget to", "forgets to", "forgetting to", "keep forgetting",
    "wastes time", "waste time", "time-consuming", "confusing", "the problem is",
    "problem with", "glemmer å", "kaster bort tid", "tungvint", "forvirrende", "problemet er",
    "problem med", "get no", "gets no", "has no", "have no", "there are no", "too long",
    "too hard", "too small", "too many", "får ingen", "har ingen", "for treg", "for tregt",
    "for lang tid", "for vanskelig", "for mange",
)  # fmt: skip

REQUEST_QUESTIONS = (
    # A question that asks for a feature is a request, not an open point.
    "can we", "could we", "can you", "could you", "would it be possible", "is it possible to",
    "can the app", "could the app", "kan vi", "kunne vi", "kan dere", "kunne dere",
    "er det mulig å", "går det an å",
)  # fmt: skip

OPEN_MARKERS = (
    "tbd", "tbc", "to be decided", "to be confirmed", "to be clarified", "not decided",
    "undecided", "not yet decided", "haven't decided", "have not decided", "hasn't decided",
    "open question", "open issue", "open point", "still open", "unclear", "unsure",
    "not sure", "don't know yet", "do not know yet", "need to check", "needs to be clarified",
    "to clarify", "check with", "pending", "awaiting", "waiting for", "decide whether",
    "decide if", "find out whether", "find out if", "to be discussed", "discuss later",
    "uavklart", "ikke avklart", "ikke bestemt", "ikke besluttet", "må avklares",
    "skal avklares", "avklares", "åpent spørsmål", "åpen sak", "usikkert", "usikker",
    "vet ikke", "uklart", "avventer", "venter på", "sjekke med", "undersøke om",
    "ta stilling til", "bestemmes senere", "bestemme om", "avgjøre om", "diskuteres",
    "to be determined", "needs discussion", "need to discuss", "let's discuss", "we'll see",
    "get back to", "look into", "komme tilbake til", "kommer tilbake til", "se nærmere på",
    "vet vi ikke", "we don't know", "we do not know", "nobody knows", "nobody knew",
    "no one knows", "no one knew", "ingen vet", "ingen visste", "vet ingen", "visste ingen",
    "har vi ikke bestemt", "har vi ikke avklart",
    "må undersøke", "finne ut om", "finne ut av",
    "(open)", "[open]", "open:", "status: open", "not agreed", "no agreement", "får se",
    "må diskuteres", "ikke avgjort", "uavgjort", "(åpent)", "åpent:", "ikke enige",
)  # fmt: skip

REJECTED_MARKERS = (
    "not now", "not for now", "no for now", "not in this release", "not this release",
    "not in v1", "not for v1", "for later", "a later phase", "a later release", "later phase",
    "later release", "next phase", "next release", "next version", "next year",
    "next quarter", "phase 2", "phase two", "postponed", "postpone", "parked", "park it",
    "deferred", "defer", "out of scope", "won't", "will not", "rejected", "declined",
    "dropped", "drop it", "we said no", "said no", "decided against", "not a priority",
    "ikke nå", "ikke for nå", "senere fase", "neste fase", "neste versjon", "neste år",
    "fase 2", "utsatt", "utsettes", "utsetter", "parkert", "parkerer", "parkeres", "droppes",
    "droppet", "dropper", "avvist", "avviser", "ikke med", "tar vi senere", "til senere",
    "ikke i denne", "utenfor scope", "ikke prioritert", "sa nei", "do it later",
    "do that later", "look at it later", "revisit", "come back to it", "ta det senere",
    "se på det senere", "ikke prioritet", "no longer", "ikke lenger", "we'll skip",
    "skip it", "hopper over", "ikke aktuelt", "not relevant", "outside the scope",
    "outside of the scope", "beyond the scope", "not part of this", "utenfor denne",
    "utenfor rammen", "utenfor omfanget", "ikke del av denne", "ikke en del av denne",
)  # fmt: skip

NEGATED_NEEDS = (
    "don't need", "do not need", "doesn't need", "does not need", "no need", "not needed",
    "not required", "not a requirement", "don't want", "do not want", "doesn't want",
    "trenger ikke", "trengs ikke", "ikke behov", "ikke nødvendig", "ikke et krav",
    "vil ikke ha", "ønsker ikke",
    # The team deciding what it will not build; "the app must not show …" stays a need.
    "we are not going to", "we're not going to", "we are not building", "we're not building",
    "we will not build", "we won't build", "we don't build", "vi skal ikke", "vi lager ikke",
    "vi bygger ikke", "vi kommer ikke til å",
)  # fmt: skip

DECISION_MARKERS = (
    "decided", "decision", "we agreed", "agreed that", "agreed to", "we will use",
    "we'll use", "we chose", "we go with", "going with", "we settled on", "confirmed that",
    "besluttet", "bestemt at", "vi bestemte", "vi går for", "vi bruker", "enige om", "vedtatt",
    "beslutning", "the decision is", "we'll go with", "we landed on", "vi kjører på",
    "landet på",
)  # fmt: skip

CHATTER = (
    "thanks", "thank you", "see you", "bye", "hello", "hi all", "good morning", "welcome",
    "next meeting", "lunch", "coffee", "weather", "sounds good", "great work", "well done",
    "makes sense", "good point", "let's wrap up", "any other business",
    "takk", "ha det", "hei alle", "god morgen", "velkommen", "neste møte", "lunsj", "kaffe",
    "høres bra ut", "godt poeng", "bra jobbet", "hear me", "share my screen", "on mute",
    "høre meg", "dele skjermen", "any questions", "anything else", "make sense",
    "see my screen", "are we done", "shall we start", "how are you", "how was your",
    "noe mer", "andre spørsmål", "noen spørsmål", "er vi ferdige", "skal vi begynne",
    "hvordan går det", "can everyone", "is everyone", "ser alle",
    # The call itself: recording, sound and picture.
    "are we recording", "is this recorded", "you cut out", "cut out", "broke up",
    "breaking up", "you froze", "you're frozen", "lost you", "tar vi opp", "hører dere meg",
    "hører du meg", "falt ut", "du hakker", "dere hakker",
)  # fmt: skip

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
# A problem that keeps coming back: "drivers keep calling the office", "ringer hele tiden".
_RECURRING = re.compile(
    r"\bkeeps?\s+(?:on\s+)?\w+ing\b|\ball the time\b|\bover and over\b|\bagain and again\b"
    r"|\bhele tiden\b|\bgang på gang\b|\bstadig\b"
)
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
        elif kinds[index] == "open" and _ANSWER.match(normalise(strip_speaker(reply.text))):
            kinds[index] = "other"  # a question answered on the spot
        elif kinds[index + 1] == "open" and not reply.text.rstrip().endswith("?"):
            kinds[index] = "open"  # a request the reply leaves undecided
    return kinds
