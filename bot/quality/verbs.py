"""Action verbs and their inflected forms, English and Norwegian (bokmål).

Several checks need to know whether a word is a verb someone performs: a second verb after
"and" makes a goal or a When do two things, a Given that starts with one is an action rather
than a state, and a note sentence that starts with one is an imperative need ("Sort the list by
date"). The base forms below are everyday software and business verbs; `verb_forms` inflects
them by the regular rules of each language, which covers nearly all of them.
"""

from __future__ import annotations

from functools import cache

ENGLISH_VERBS = frozenset(
    (
        "access", "add", "adjust", "allocate", "allow", "approve", "archive", "assign", "attach",
        "block", "book", "browse", "calculate", "cancel", "change", "check", "choose", "clear",
        "click", "close", "collect", "comment", "compare", "complete", "configure", "confirm",
        "connect", "copy", "correct", "create", "define", "delete", "deny", "disable", "dismiss",
        "display", "download", "drag", "duplicate", "edit", "email", "enable", "enter",
        "exclude", "export", "fill", "filter", "find", "flag", "follow", "forward", "generate",
        "get", "give", "go", "group", "hide", "highlight", "import", "include", "invite", "keep",
        "label", "link", "list", "load", "lock", "log", "look", "manage", "mark", "merge",
        "message", "move", "navigate", "notify", "open", "order", "pay", "pick", "pin", "plan",
        "post", "press", "preview", "print", "publish", "rate", "read", "receive", "reconcile",
        "record", "refund", "register", "reject", "remind", "remove", "rename", "reopen",
        "reorder", "reply", "report", "request", "reschedule", "reserve", "reset", "restore",
        "retry", "return", "review", "save", "scan", "schedule", "scroll", "search", "see",
        "select", "send", "set", "share", "show", "sign", "sort", "split", "start", "stop",
        "submit", "subscribe", "swap", "switch", "sync", "tag", "tap", "track", "transfer",
        "type", "undo", "unlock", "update", "upload", "validate", "verify", "view", "void",
        "withdraw", "write", "describe", "explain", "take", "make", "call", "contact", "ask",
        "answer", "buy", "sell", "measure", "estimate", "repair", "inspect", "charge",
        "invoice", "deliver", "pack", "unload", "hire", "translate", "summarise", "summarize",
        "photograph", "sort", "rank", "attach", "invite", "join", "leave", "accept", "decline",
        "renew", "extend", "claim", "apply", "prioritise", "prioritize", "notify", "approve",
        "tick", "untick", "uncheck", "toggle", "swipe", "hover", "drop",
    )
)  # fmt: skip

NORWEGIAN_VERBS = frozenset(
    (
        "arkivere", "avbryte", "avslutte", "avvise", "bekrefte", "bestille", "betale", "blokkere",
        "booke", "beregne", "dele", "duplisere", "eksportere", "endre", "fakturere", "fjerne",
        "filtrere", "finne", "flytte", "fylle", "følge", "generere", "godkjenne", "gruppere",
        "importere", "invitere", "klikke", "kopiere", "lagre", "laste", "legge", "lese", "logge",
        "låse", "markere", "melde", "motta", "navigere", "oppdatere", "opprette", "planlegge",
        "publisere", "purre", "redigere", "registrere", "reservere", "sammenligne", "sende",
        "signere", "skanne", "skjule", "skrive", "slette", "sortere", "spore", "starte",
        "stoppe", "søke", "tildele", "trykke", "varsle", "velge", "vise", "åpne", "beskrive",
        "forklare", "ringe", "kontakte", "spørre", "svare", "kjøpe", "selge", "måle",
        "estimere", "reparere", "inspisere", "levere", "pakke", "returnere", "ansette",
        "oversette", "oppsummere", "fotografere", "akseptere", "søke", "fornye", "forlenge",
        "prioritere", "rapportere", "ta", "lage", "ta", "gi", "hente", "krysse", "hake",
        "huke", "sveipe", "dra", "se", "gå", "gjøre", "bytte", "sjekke", "avbestille",
        "avslå", "bruke", "sette", "tilby", "vurdere", "kontrollere", "behandle", "huske",
        "overføre", "dokumentere", "justere", "oppgi", "angre", "holde", "fordele", "tillate",
        "synkronisere", "merke", "bestemme", "beholde", "åpne", "lukke", "avvise", "utsette",
    )
)  # fmt: skip

IRREGULAR = {
    "see": ("sees", "saw", "seen", "seeing"),
    "get": ("gets", "got", "gotten", "getting"),
    "give": ("gives", "gave", "given"),
    "go": ("goes", "went", "gone"),
    "find": ("finds", "found"),
    "send": ("sends", "sent"),
    "pay": ("pays", "paid"),
    "keep": ("keeps", "kept"),
    "read": ("reads",),
    "write": ("writes", "wrote", "written"),
    "set": ("sets", "setting"),
    "se": ("ser", "så", "sett"),
    "få": ("får", "fikk", "fått"),
    "gå": ("går", "gikk", "gått"),
    "gjøre": ("gjør", "gjorde", "gjort"),
}

UI_ACTIONS = frozenset(
    # What a person does to a screen. A Given built on one is an action, not a starting state.
    (
        "click", "tap", "press", "select", "choose", "enter", "type", "submit", "open", "close",
        "upload", "drag", "fill", "scroll", "navigate", "log", "sign", "search", "save",
        "delete", "send", "confirm", "cancel", "go", "klikke", "trykke", "velge", "skrive",
        "åpne", "laste", "fylle", "logge", "navigere", "søke", "lagre", "slette", "sende",
        "bekrefte", "gå", "tick", "untick", "uncheck", "toggle", "swipe", "hover", "drop",
        "krysse", "hake", "huke", "sveipe", "dra",
    )
)  # fmt: skip


NOUN_LIKE = frozenset(
    # Verbs that are as often nouns ("the email address", "search results"): after "and" they
    # count as a verb only when an object follows ("and email it to …").
    (
        "access", "book", "change", "check", "comment", "copy", "display", "download", "email",
        "export", "filter", "flag", "group", "import", "label", "link", "list", "lock", "log",
        "message", "order", "pin", "plan", "post", "preview", "print", "rate", "record",
        "refund", "reply", "report", "request", "reset", "return", "review", "scan", "schedule",
        "search", "set", "share", "sign", "sort", "split", "start", "stop", "switch", "tag",
        "track", "transfer", "type", "update", "upload", "view", "void",
    )
)  # fmt: skip


def _english_forms(base: str) -> set[str]:
    forms = {base, *IRREGULAR.get(base, ())}
    if base.endswith(("s", "sh", "ch", "x", "z")):
        forms.add(base + "es")
    elif base.endswith("y") and base[-2:-1] not in "aeiou":
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    else:
        forms.add(base + "s")
    stem = base[:-1] if base.endswith("e") else base
    forms |= {stem + "ed", stem + "ing"} if not base.endswith("y") else {base + "ing"}
    if base.endswith("ay"):
        forms.add(base + "ed")
    return forms


def _norwegian_forms(base: str) -> set[str]:
    forms = {base, *IRREGULAR.get(base, ())}
    if base in IRREGULAR:
        return forms  # "se": ser, så, sett, never the regular "set"/"ste"
    if base.endswith("e"):
        stem = base[:-1]
        forms |= {base + "r", base + "s", stem + "et", stem + "te", stem + "es"}
    else:
        forms |= {base + "r", base + "s"}
    return forms


@cache
def verb_forms(bases: frozenset[str]) -> frozenset[str]:
    """Every regular form of `bases`: English -s/-es/-ed/-ing, Norwegian -r/-s/-et/-te."""
    forms: set[str] = set()
    for base in bases:
        if base in NORWEGIAN_VERBS or base == "få":
            forms |= _norwegian_forms(base)
        else:
            forms |= _english_forms(base)
    return frozenset(forms)


def base_or_present(bases: frozenset[str]) -> frozenset[str]:
    """Forms that start a clause in the present: base, third person -s, Norwegian -r."""
    result: set[str] = set()
    for base in bases:
        result.add(base)
        result |= {f for f in verb_forms(frozenset({base})) if f.endswith(("s", "r"))}
    return frozenset(result)


ALL_VERBS = ENGLISH_VERBS | NORWEGIAN_VERBS
ACTION_FORMS = verb_forms(ALL_VERBS)
UI_PRESENT_FORMS = base_or_present(UI_ACTIONS)
