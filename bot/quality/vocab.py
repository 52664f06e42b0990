"""Word lists behind the heuristics, in one place so a reviewer can read and extend them.

English first, then Norwegian (bokmål): notes arrive in either or both, and stories may be
written in Norwegian when a project asks for it. Lists are matched as whole words on normalised
text, so case and curly quotes do not matter. Keep entries lower case.
"""

from __future__ import annotations

VAGUE_WORDS = (
    # Lucassen et al. and INVEST guides: words a tester cannot check.
    "fast", "quick", "quickly", "easy", "easily", "user-friendly", "user friendly", "intuitive",
    "appropriate", "appropriately", "several", "some", "many", "flexible", "efficient",
    "efficiently", "simple", "robust", "as soon as possible", "asap", "etc", "adequate",
    "adequately", "seamless", "seamlessly", "modern", "nice", "if possible", "where possible",
    "as needed", "and so on", "a lot of", "lots of", "various", "optimal", "smooth", "smoothly",
    "sufficient", "in a timely manner", "state of the art",
    "rask", "raskt", "enkel", "enkelt", "enkle", "brukervennlig", "intuitiv", "intuitivt",
    "passende", "fleksibel", "fleksibelt", "effektiv", "effektivt", "moderne", "sømløs",
    "sømløst", "snarest", "så fort som mulig", "så snart som mulig", "hvis mulig", "osv",
    "diverse", "mange", "en del",
)  # fmt: skip

CONJUNCTIONS = ("and", "or", "&", "as well as", "plus", "og", "eller", "samt")

FIXED_PAIRS = (
    # Two words joined by a conjunction that name one thing, not two features.
    "drag and drop", "copy and paste", "cut and paste", "search and filter", "sort and filter",
    "terms and conditions", "date and time", "first and last name", "name and address",
    "read and write", "profit and loss", "pros and cons", "black and white", "back and forth",
    "one or more", "zero or more", "more or less", "either or", "and/or", "q&a", "r&d", "p&l",
    "log in and out", "questions and answers", "sign and send", "track and trace",
    "dra og slipp", "kopier og lim inn", "vilkår og betingelser", "dato og klokkeslett",
    "fornavn og etternavn", "navn og adresse", "en eller flere", "mer eller mindre",
)  # fmt: skip

ACTION_VERBS = frozenset(
    # Base forms that start the second half of a goal like "… and email it to the client".
    (
        "add", "approve", "archive", "assign", "attach", "book", "browse", "cancel", "change",
        "check", "choose", "close", "compare", "configure", "copy", "create", "delete",
        "download", "duplicate", "edit", "email", "enter", "export", "fill", "filter", "find",
        "forward", "generate", "get", "import", "invite", "keep", "lock", "log", "mark",
        "merge", "move", "notify", "open", "pay", "pick", "post", "preview", "print", "publish",
        "receive", "reconcile", "register", "reject", "remind", "remove", "rename", "reopen",
        "reply", "request", "reset", "restore", "review", "save", "schedule", "search", "see",
        "select", "send", "set", "share", "sign", "sort", "split", "start", "stop", "submit",
        "subscribe", "sync", "tag", "track", "transfer", "unlock", "update", "upload",
        "validate", "verify", "view", "void", "withdraw", "write", "arkivere", "avbryte",
        "avvise", "bestille", "betale", "dele", "duplisere", "eksportere", "endre", "fakturere",
        "filtrere", "finne", "fjerne", "flytte", "følge", "generere", "godkjenne", "importere",
        "invitere", "kopiere", "lagre", "lese", "logge", "låse", "motta", "oppdatere",
        "opprette", "purre", "redigere", "registrere", "sammenligne", "se", "sende", "signere",
        "skrive", "slette", "sortere", "spore", "søke", "tildele", "varsle", "velge", "vise",
        "åpne", "få", "laste", "legge",
    )
)  # fmt: skip

CLAUSE_FILLERS = (
    # Words that may sit between a conjunction and the verb of a second feature.
    "i can also", "i can", "i could", "be able to", "also be able to", "also", "then", "to",
    "can", "jeg kan", "kunne", "også", "deretter", "så", "å",
)  # fmt: skip

TASK_VERBS = frozenset(
    # A goal starting with one of these describes developer work, not what a user wants.
    (
        "implement", "implementere", "refactor", "refaktorere", "migrate", "migrere", "deploy",
        "configure", "konfigurere", "install", "installere", "upgrade", "debug", "fix", "fikse",
        "develop", "utvikle", "code", "setup",
    )
)  # fmt: skip

TASK_PHRASES = ("set up", "sette opp", "write unit tests", "add an endpoint", "add endpoint")

GENERIC_ROLES = frozenset({"user", "bruker", "brukeren", "end user", "sluttbruker"})

UNKNOWN_ROLES = frozenset({"unknown", "ukjent", "n/a", "tbd", "?"})

TEMPLATE_INDICATORS = (
    "as a", "as an", "i want", "i'd like", "so that", "som en", "som et", "jeg vil", "jeg ønsker",
    "slik at", "sånn at", "for at",
)  # fmt: skip

# "etc." and "osv." are absent: the unambiguous check names them as vague words instead.
ABBREVIATIONS = ("e.g.", "i.e.", "f.eks.", "dvs.", "bl.a.", "m.m.", "mv.")

NON_OBSERVABLE = (
    # A Then built from these says the feature behaves, not what anyone can see happen.
    "works", "work", "working", "is handled", "are handled", "handled", "handles", "behaves",
    "functions", "correctly", "properly", "as expected", "successfully", "fine", "ok", "okay",
    "fungerer", "håndteres", "riktig", "korrekt", "som forventet",
)  # fmt: skip

GENERIC_SUBJECTS = frozenset(
    (
        "it", "everything", "system", "application", "app", "feature", "functionality",
        "solution", "process", "systemet", "løsningen", "funksjonen", "applikasjonen", "alt",
    )
)  # fmt: skip

OBSERVABLE_WORDS = (
    # Evidence of an outcome someone can see: something shown, sent, stored or refused.
    "see", "sees", "shows", "show", "shown", "display", "displays", "displayed", "appear",
    "appears", "receive", "receives", "received", "sent", "send", "sends", "download",
    "downloads", "downloaded", "contain", "contains", "list", "lists", "listed", "saved",
    "stored", "created", "deleted", "removed", "updated", "changed", "redirected", "returns",
    "disabled", "enabled", "marked", "status", "message", "error", "email", "notification",
    "total", "equals", "logged in", "logged out", "blocked", "rejected", "approved",
    "ser", "vises", "vist", "mottar", "sendes", "sendt", "inneholder", "lagres", "lagret",
    "opprettes", "slettes", "endres", "feilmelding", "melding", "varsel",
)  # fmt: skip
