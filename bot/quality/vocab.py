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
    "sufficient", "in a timely manner", "state of the art", "smart", "smartly", "convenient",
    "conveniently", "clearly", "effortless", "effortlessly", "hassle-free", "painless",
    "streamlined", "handy", "neat", "reasonable", "reasonably", "proper", "properly",
    "straightforward", "powerful", "relevant", "as much as possible", "if needed",
    "when needed", "if necessary",
    "rask", "raskt", "enkel", "enkelt", "enkle", "brukervennlig", "intuitiv", "intuitivt",
    "passende", "fleksibel", "fleksibelt", "effektiv", "effektivt", "moderne", "sømløs",
    "sømløst", "snarest", "så fort som mulig", "så snart som mulig", "hvis mulig", "osv",
    "diverse", "mange", "en del", "smidig", "smidigt", "smidige", "oversiktlig",
    "oversiktlige", "tydelig", "tydelige", "praktisk", "praktiske", "problemfri",
    "problemfritt", "lettvint", "behagelig", "ryddig", "ryddige", "smart", "smarte",
    "hensiktsmessig", "hensiktsmessige", "relevant", "relevante", "så mye som mulig",
    "ved behov", "om nødvendig", "hvis nødvendig",
)  # fmt: skip

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

ARTEFACT_NOUNS = (
    # Things a team builds and ships on their own. Two noun phrases headed by these, joined by
    # "and", are two deliverables ("a route list and a delivery map").
    "report", "dashboard", "page", "screen", "view", "overview", "list", "export", "import",
    "notification", "alert", "reminder", "email", "e-mail", "message", "form", "button",
    "filter", "search", "map", "chart", "graph", "summary", "calendar", "log", "history",
    "widget", "tab", "menu", "portal", "app", "feed", "template", "integration", "api",
    "receipt", "document", "file", "spreadsheet", "module", "section", "panel", "digest",
    "newsletter", "sms", "wizard", "timeline", "statistics", "schedule", "roster",
    "timetable", "profile", "settings", "checkout", "cart", "basket", "inbox", "queue",
    "board", "gallery", "catalogue", "catalog", "website", "webshop",
    "rapport", "dashbord", "side", "skjerm", "skjermbilde", "visning", "oversikt", "liste",
    "eksport", "varsel", "varsling", "påminnelse", "epost", "melding", "skjema", "knapp",
    "søk", "kart", "graf", "diagram", "sammendrag", "kalender", "logg", "historikk", "fane",
    "meny", "mal", "integrasjon", "kvittering", "dokument", "fil", "modul", "statistikk",
    "vaktplan", "timeplan", "profil", "innstillinger", "handlekurv", "innboks", "tavle",
    "katalog", "nettside", "nettbutikk",
    # Documents sent out on their own: "an invoice and a warning letter".
    "letter", "label", "certificate", "link", "brev", "etikett", "sertifikat", "lenke",
)  # fmt: skip

TIME_WORDS = frozenset(
    # A prepositional phrase about time ("today and tomorrow", "i dag og i morgen") is one
    # feature's schedule, not a second place to build it.
    ("today", "tomorrow", "yesterday", "morning", "mornings", "evening", "evenings", "night",
     "nights", "weekend", "weekends", "week", "month", "year", "time", "advance", "future",
     "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
     "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december", "summer", "winter", "spring", "autumn", "dag", "morgen", "kveld",
     "natt", "helgen", "helga", "helger", "uke", "uken", "måned", "måneden", "år", "året",
     "forkant", "etterkant", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag",
     "søndag", "januar", "februar", "mars", "mai", "juni", "juli", "desember", "sommer",
     "vinter", "høst", "vår", "tide", "går")
)  # fmt: skip

ONE_UNIT = (
    # Said of two joined things, these make them one feature: "the map and the list side by side".
    "side by side", "together", "in one view", "in one step", "at the same time", "at once",
    "on one screen", "on the same page", "samtidig", "sammen", "i én visning", "i ett steg",
    "på samme side", "i samme bilde", "ved siden av hverandre",
)  # fmt: skip

PREPOSITIONS = frozenset(
    # Places and channels: "on the invoice and in the report" names two places to build.
    ("on", "in", "at", "inside", "within", "via", "through", "into", "onto", "across",
     "på", "i", "via", "gjennom", "inni", "hos")
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

GENERIC_ROLES = frozenset(
    # Roles that name nobody in particular: the developer learns nothing about whose need it is.
    (
        "user", "users", "end user", "end-user", "system", "the system", "stakeholder",
        "stakeholders", "someone", "somebody", "anyone", "anybody", "everyone", "person",
        "people", "individual", "actor", "human", "party", "customer user", "app user",
        "bruker", "brukeren", "brukere", "brukerne", "sluttbruker", "sluttbrukeren", "system",
        "systemet", "noen", "person", "personen", "alle", "interessent", "interessenter",
        "aktør", "aktøren", "hvem som helst", "man", "business", "company", "organisation",
        "organization", "application", "app", "platform", "service", "backend", "bedrift",
        "firma", "virksomhet", "selskap", "appen", "plattformen", "tjenesten", "applikasjonen",
    )
)  # fmt: skip

ROLE_QUALIFIERS = frozenset(
    # Modifiers that leave a generic role generic: "a registered user" is still anyone.
    (
        "registered", "logged-in", "logged", "in", "signed-in", "signed", "normal", "regular",
        "any", "general", "typical", "standard", "end", "app", "system", "authenticated",
        "ordinary", "generic", "web", "internal", "external", "vanlig", "innlogget",
        "registrert", "alminnelig", "generell", "hvilken", "som", "helst", "intern", "ekstern",
    )
)  # fmt: skip

FILLER_WORDS = frozenset(
    # Words that add nothing to what a need or goal asks for: quantifiers ("each", "hele"),
    # places and relations ("in", "på", "over", "per"), and manner fillers ("på en måte").
    ("every", "each", "all", "whole", "entire", "both", "any", "hele", "hel", "heile", "alle",
     "hver", "hvert", "begge", "samtlige", "on", "in", "at", "inside", "within", "over",
     "under", "up", "per", "på", "i", "av", "hos", "way", "manner", "måte", "which", "that",
     "there", "thing", "ting", "ones")
)  # fmt: skip

UNKNOWN_ROLES = frozenset({"unknown", "ukjent", "n/a", "tbd", "?"})

# "etc." and "osv." are absent: the unambiguous check names them as vague words instead.
ABBREVIATIONS = ("e.g.", "i.e.", "f.eks.", "dvs.", "bl.a.", "m.m.", "mv.")

NON_OBSERVABLE = (
    # A Then built from these says the feature behaves or a process ran, not what anyone can
    # see happen: nothing is named that a tester could look at.
    "works", "work", "working", "is handled", "are handled", "handled", "handles", "behaves",
    "functions", "correctly", "properly", "as expected", "successfully", "fine", "ok", "okay",
    "processed", "is processed", "taken into account", "taken care of", "dealt with",
    "reflected", "is reflected", "applied", "is applied", "supported", "is supported",
    "responds", "reacts", "happens", "accordingly", "improved", "is improved", "better",
    "easier", "faster", "smoother", "optimised", "optimized", "enhanced", "as intended",
    "as designed", "without problems", "without issues", "without errors", "reliable",
    "reliably", "secure", "securely", "acceptable", "satisfactory", "good", "great",
    "up to date", "up-to-date", "accurate", "consistent", "pålitelig", "sikker", "sikkert",
    "akseptabel", "god", "godt", "oppdatert", "nøyaktig", "done", "correct", "valid",
    "saves time", "save time", "less time", "less work", "fewer errors", "fewer mistakes",
    "gjort", "utført", "gyldig", "sparer tid", "mindre tid", "mindre arbeid", "færre feil",
    "fungerer", "håndteres", "håndtert", "riktig", "korrekt", "som forventet", "behandles",
    "ivaretas", "tas hensyn til", "gjenspeiles", "reflekteres", "forbedret", "forbedres",
    "bedre", "enklere", "raskere", "som tiltenkt", "uten problemer", "uten feil", "informed",
    "is informed", "informert", "followed up", "is followed up", "følges opp", "fulgt opp",
    "ensured", "is ensured", "sikres", "sikret", "ivaretatt",
)  # fmt: skip

FEELINGS = (
    # A Then about what someone feels, knows or intends: nobody can observe it in a test.
    "feel", "feels", "felt", "happy", "happier", "satisfied", "confident", "comfortable",
    "reassured", "relieved", "pleased", "delighted", "frustrated", "annoyed", "confused",
    "understand", "understands", "understood", "know", "knows", "aware", "realise", "realises",
    "realize", "realizes", "trust", "trusts", "appreciate", "appreciates", "enjoy", "enjoys",
    "likes", "love", "loves", "believe", "believes", "think", "thinks", "intend",
    "intends", "wish", "wishes", "wants to", "decides to", "is sure", "are sure", "feel sure",
    "peace of mind", "in control", "stress-free", "less stressed", "stressed", "worried",
    "worry", "motivated", "engaged", "has an overview", "has a clear picture", "plans to",
    "remember", "remembers", "notice", "notices", "noticed", "prefer", "prefers", "hope",
    "hopes", "expect", "expects", "content with",
    "is willing", "trygg", "trygge", "trygt",
    "føler", "føle", "fornøyd", "fornøyde", "glad", "komfortabel", "forstår", "forstå",
    "klar over", "kjent med",
    "skjønner", "vet", "vite", "kjenner til", "opplever", "synes", "liker", "tror", "stoler på",
    "er sikker", "er sikre", "bevisst", "ønsker å", "har lyst", "har kontroll",
    "beroliget", "frustrert", "forvirret", "bekymret", "stresset", "motivert", "har oversikt",
    "har god oversikt", "har full oversikt", "husker", "huske", "legger merke til",
    "merker", "foretrekker", "håper", "forventer", "tilfreds", "misfornøyd", "oppfatter",
)  # fmt: skip

ABSOLUTES = (
    # Claims no finite test can prove: one run shows "sometimes", never "always".
    "always", "never", "ever", "forever", "at all times", "under any circumstances",
    "under all circumstances", "in every case", "in all cases", "without exception",
    "no matter what", "all the time", "every single time", "without fail",
    "under no circumstances", "every time", "each time", "guaranteed", "at any time",
    "never again", "nobody ever", "no one ever", "everything",
    "alltid", "aldri", "noensinne", "for alltid", "til enhver tid", "under alle omstendigheter",
    "i alle tilfeller", "uten unntak", "uansett hva", "hele tiden", "hver gang", "garantert",
    "når som helst", "aldri igjen", "aldri mer", "alt",
    "under ingen omstendigheter",
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
    "opprettes", "slettes", "endres", "feilmelding", "melding", "varsel", "no longer",
    "not accepted", "refused", "denied", "cannot", "can't", "ikke lenger", "avvises", "nektes",
    "kan ikke", "taken to", "navigated", "visible", "greyed out", "highlighted", "hidden",
    "count", "number", "becomes", "is set to", "synlig", "grå", "antall", "blir satt til",
    "markert", "skjult", "åpnes", "lukkes", "sms", "text message",
)  # fmt: skip
