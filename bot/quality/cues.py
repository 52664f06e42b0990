"""Cue phrases that tell what a sentence of meeting notes is, English and Norwegian (bokmål).

Data only, read by `needs.py`: need and problem cues, feature requests phrased as questions,
markers of open, rejected, negated and decided points, and meeting chatter.
"""

from __future__ import annotations

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
    # Left for later by the team: "we'll get back to you", "det må vi komme tilbake til".
    "get back to you", "get back to them", "get back to us", "get back to the client",
    "get back to the customer", "look into whether", "look into if", "look into it",
    "look into that", "look into this", "må vi komme tilbake til", "kommer vi tilbake til",
    "komme tilbake til det", "kommer tilbake til det", "se nærmere på",
    "vet vi ikke", "we don't know", "we do not know", "nobody knows", "nobody knew",
    "no one knows", "no one knew", "ingen vet", "ingen visste", "vet ingen", "visste ingen",
    "har vi ikke bestemt", "har vi ikke avklart",
    "vi må undersøke", "må vi undersøke", "vi må finne ut", "må vi finne ut",
    "vi skal finne ut",
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
    "outside of the scope", "beyond the scope", "utenfor denne runden",
    "utenfor denne leveransen", "utenfor denne fasen", "utenfor denne versjonen",
    "utenfor dette prosjektet", "utenfor rammen", "utenfor omfanget",
)  # fmt: skip

NEGATED_NEEDS = (
    "don't need", "do not need", "doesn't need", "does not need", "no need", "not needed",
    "not required", "not a requirement", "don't want", "do not want", "doesn't want",
    "trenger ikke", "trengs ikke", "ikke behov", "ikke nødvendig", "ikke et krav",
    "vil ikke ha", "ønsker ikke",
    # The team deciding what it will not build; "the app must not show …" stays a need.
    "we are not going to build", "we're not going to build", "we are not going to support",
    "we're not going to support", "we are not going to offer", "we're not going to offer",
    "we are not building", "we're not building", "we will not build", "we won't build",
    "we don't build", "vi skal ikke lage", "vi skal ikke bygge", "vi skal ikke ha",
    "vi skal ikke tilby", "vi skal ikke støtte", "vi skal ikke utvikle", "vi lager ikke",
    "vi bygger ikke", "vi kommer ikke til å lage", "vi kommer ikke til å bygge",
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
    "are we recording", "is this recorded", "you cut out", "you broke up", "you're breaking up",
    "you are breaking up", "you froze", "you're frozen", "lost you", "tar vi opp", "hører dere meg",
    "hører du meg", "falt ut", "du hakker", "dere hakker",
)  # fmt: skip
