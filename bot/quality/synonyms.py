"""Synonyms and translations of everyday software words, for comparing two stories' wording.

Two drafts of one need rarely share their exact words: "download my bills" and "export the
invoices", or a Norwegian story against an English backlog ("se forfalte fakturaer" and "view
overdue invoices"). Each group below maps onto its first word. The groups are common
vocabulary of business software, English and Norwegian, not phrases from any one project.
"""

from __future__ import annotations

import re
from functools import cache

from .text import fold, phrase_pattern, stem

PHRASES = {
    "log in": "login", "sign in": "login", "logge inn": "login", "logge på": "login",
    "log out": "logout", "sign out": "logout", "logge ut": "logout", "logge av": "logout",
    "laste ned": "download", "laste opp": "upload", "legge til": "add", "legge ved": "upload",
    "skrive ut": "print", "look up": "search", "find out": "see", "keep track of": "track",
    "holde oversikt over": "track", "e-mail": "email", "e-post": "email", "e-poster": "email",
    # "søke om" is applying, not searching; an ETA is an expected arrival time.
    "søke om": "apply", "søker om": "apply", "apply for": "apply", "eta": "expected arrival time",
    "text message": "sms", "on the way": "underway", "on its way": "underway",
    "på vei": "underway", "one-off": "single", "due date": "deadline",
    # English "last" as in "last week" is "forrige"; the stem "last" also comes from "laste".
    "last week": "previous week", "last month": "previous month", "last year": "previous year",
    "last time": "previous time",
    "without network coverage": "offline", "without mobile coverage": "offline",
    "without coverage": "offline", "without network": "offline", "without internet": "offline",
    "without signal": "offline", "no coverage": "offline", "no signal": "offline",
    "uten dekning": "offline", "uten mobildekning": "offline", "uten nett": "offline",
    "uten nettverk": "offline", "uten internett": "offline",
    "sende inn": "submit", "melde inn": "submit", "sign up": "register",
    "registrere seg": "register", "melde seg på": "register", "låse opp": "unlock",
    "customer service": "support", "gift card": "giftcard", "spare part": "sparepart",
    "work order": "job", "waiting list": "waitlist", "video call": "videocall",
    "team member": "employee", "teammedlem": "employee", "new hire": "new employee",
    # "etter" and "ett" (one) share a stem.
    "etter": "after",
}  # fmt: skip

GROUPS = (
    "see view display show look vis vise se visning",
    "export download eksport eksportere",
    "delete remove erase slette fjerne",
    "add create opprette lage",
    "edit change modify update amend correct endre redigere oppdatere korrigere",
    "send email mail forward sende epost",
    (
        "notify alert remind warn notification reminder warning varsle påminne varsel "
        "påminnelse varsling"
    ),
    "invoice bill faktura",
    "customer client kunde",
    "report rapport",
    "list liste overview oversikt summary sammendrag oppsummering digest",
    "search find søke finne søk",
    "filter filtrere",
    "sort sortere",
    "pay payment paid betale betaling betalt payout utbetaling",
    "approve accept godkjenne",
    "reject decline deny avvise",
    "cancel withdraw revoke avbestille avbryte kansellere trekke avlyse",
    "book reserve bestille reservere booke",
    "upload attach attachment vedlegg",
    "overdue late unpaid forfalt forfalte forsinket ubetalt delay delayed forsinkelse",
    "month monthly måned månedlig",
    "week weekly uke ukentlig",
    "day daily dag daglig",
    "receive obtain motta",
    "next upcoming coming future neste kommende",
    "top øverst first først",
    "worker arbeider",
    "arrive arrival mottak ankomst ankomme",
    "check verify confirm validate sjekke kontrollere bekrefte",
    "select choose pick velge",
    "save lagre",
    "assign allocate tildele fordele",
    "free available vacant ledig",
    "shift vakt",
    "absence absent fravær",
    "child kid barn",
    "school skole",
    "photo picture image bilde foto",
    "address adresse",
    "name navn",
    "location position place sted posisjon",
    "map kart",
    "parcel package pakke",
    "pallet pall",
    "scan skanne",
    "calendar kalender",
    "discount rabatt",
    "signature sign signere signatur",
    "request ask forespørsel",
    "setting preference innstilling",
    "profile profil",
    "language språk",
    "driver sjåfør",
    "route rute",
    "delivery levering leveranse",
    "order ordre bestilling",
    "employee staff ansatt hire nyansatt newcomer colleague coworker kollega",
    "manager leder sjef",
    "document dokument",
    "file fil",
    "message melding",
    "receipt kvittering",
    "date dato",
    "price cost pris kostnad",
    "share dele",
    "schedule plan timeplan planlegge timetable rutetabell",
    "account konto",
    "password passord",
    "status tilstand",
    "history historikk",
    "booking reservation",
    "stock inventory lager beholdning",
    "product vare produkt item artikkel",
    "task oppgave",
    "team gruppe",
    "comment kommentar",
    "total sum",
    "phone telefon mobile mobil",
    "ship dispatch sende",
    "broken faulty defective damaged damage ødelagt defekt skade",
    "revenue sales turnover income omsetning inntekt salg",
    "region area område",
    "break pause",
    "homework assignment lekse lekser",
    "reschedule move flytte",
    "number nummer",
    "record log register registrere registrer føre",
    "figures numbers tall",
    # People: a role named in the other language is still named in the notes.
    "accountant regnskapsfører bookkeeper",
    "dispatcher disponent",
    "warehouse lager",
    "nurse sykepleier",
    "doctor lege",
    "teacher lærer",
    "pupil elev student",
    "administrator admin",
    "owner eier",
    "seller salesperson selger",
    "buyer purchaser kjøper innkjøper",
    "technician tekniker",
    "mechanic mekaniker",
    "planner planlegger",
    "cashier kasserer",
    "patient pasient",
    "tenant leietaker",
    "landlord utleier",
    "member medlem",
    "guest gjest",
    "visitor besøkende",
    "supplier vendor leverandør",
    "courier bud",
    "auditor revisor",
    "developer utvikler",
    "volunteer frivillig",
    "parent forelder foreldre",
    "coach trener training trening practice session økt",
    "agent saksbehandler caseworker",
    # Everyday words of business software, English and Norwegian.
    "single enkelt individual",
    "apply application søknad",
    "done complete completed finished ferdig fullført utført",
    "door entrance entry gate dør inngang port",
    "code kode pin",
    "contract kontrakt",
    "rent rental lease leie",
    "electronic electronically digital digitally elektronisk digitalt online",
    "expected estimated forventet estimert",
    "time tid tidspunkt klokkeslett",
    "stop stopp",
    "away unna",
    "copy duplicate kopiere kopi",
    "previous forrige prior",
    "new ny nytt nye",
    "club klubb idrettslag",
    "match game kamp",
    "page side",
    "budget budsjett",
    "holiday vacation ferie",
    "summer sommer",
    "winter vinter",
    "season sesong",
    "year yearly annual år årlig",
    "hour hourly",
    "before før",
    "after",
    "class klasse",
    "open åpne åpen",
    "close lukke",
    "start begin starte begynne",
    "end slutt",
    "import importere",
    "invite invitere",
    "compare sammenligne",
    "calculate compute beregne regne",
    "archive arkivere",
    "transfer overføre",
    "sync synchronise synchronize synkronisere",
    "swap exchange bytte",
    "contact kontakt",
    "question spørsmål",
    "answer reply svar svare",
    "feedback tilbakemelding",
    "error bug fault feil",
    "deadline due frist",
    "vehicle van car bil kjøretøy",
    "salary wage lønn",
    "overtime overtid",
    "automatic automatically automatisk",
    "manual manually manuell manuelt",
    "missing mangler manglende",
    "today idag",
    "weekend helg",
    "room rom",
    "user bruker",
    "appointment avtale timeavtale",
    # Banking, retail, transport, field service, support and claims.
    "balance saldo",
    "card kort",
    "loan lån",
    "statement kontoutskrift",
    "fee charge gebyr",
    "limit grense",
    "currency valuta",
    "savings sparing",
    "refund refusjon refundere tilbakebetale tilbakebetaling",
    "return retur returnere",
    "cart basket handlekurv",
    "checkout",
    "shop store butikk",
    "shelf hylle",
    "giftcard gavekort",
    "departure avgang",
    "passenger passasjer",
    "seat sete",
    "bus buss",
    "ticket billett sak case henvendelse",
    "job oppdrag arbeidsordre",
    "visit besøk",
    "sparepart reservedel",
    "equipment utstyr",
    "site anlegg",
    "priority prioritet",
    "queue kø",
    "escalate eskalere",
    "claim skademelding skadesak",
    "insurance policy forsikring polise",
    "assessment vurdering",
    "waitlist venteliste",
    "referral henvisning",
    "prescription resept",
    "clinic klinikk",
    "videocall videosamtale",
    "leave permisjon",
    "sick syk sykemelding",
    "button knapp",
    "field felt",
    "form skjema",
    "screen skjerm skjermbilde",
    "menu meny",
    "tab fane",
    "table tabell",
    "column kolonne",
    "row rad",
    "link lenke",
    "website nettside",
    "chart graph graf diagram",
    "morning morgen",
    "evening kveld",
    "night natt",
    "minute minutt",
    "active aktiv",
    "closed stengt lukket",
    "busy opptatt",
    "empty tom",
    "old gammel",
    "required mandatory obligatory påkrevd obligatorisk",
    "amount beløp",
    "submit",
    "unlock",
    "block sperre blokkere",
    "reset tilbakestille nullstille",
    "reopen gjenåpne",
    "advisor adviser rådgiver",
    "clerk ekspeditør",
    "conductor konduktør",
    "inspector inspektør kontrollør",
    "adjuster takstmann skadebehandler",
    "support kundestøtte brukerstøtte kundeservice",
    "underway",
    "1 one ett én",
    "2 two",
    "3 three tre",
    "5 five fem",
    "6 six seks",
    "7 seven sju syv",
    "8 eight åtte",
    "9 nine ni",
    "10 ten ti",
    "12 twelve tolv",
)


# English and Norwegian spell shared Latin and Greek words differently: "receptionist" and
# "resepsjonist", "contract" and "kontrakt", "administration" and "administrasjon".
_COGNATE_SPELLING = (
    (re.compile(r"tion"), "sjon"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"ck|c|q"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"y\Z"), "i"),
)


def cognate(word: str) -> str:
    """`word` in Norwegian spelling of an international word, so cognates compare equal."""
    for pattern, replacement in _COGNATE_SPELLING:
        word = pattern.sub(replacement, word)
    return word


@cache
def _canon() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in GROUPS:
        members = group.split()
        for word in members:
            table.setdefault(stem(word), stem(members[0]))
    # A group whose first word stems like a word of an earlier group joins that group:
    # "dispatcher disponent" follows "dispatch" wherever that went.
    for key, value in list(table.items()):
        seen = {key}
        while table.get(value, value) != value and value not in seen:
            seen.add(value)
            value = table[value]
        table[key] = value
    for key, value in list(table.items()):
        table.setdefault(cognate(key), value)
    return table


_PHRASE = phrase_pattern(PHRASES)


def canonical_text(text: str) -> str:
    """`text` folded, with multi-word synonyms ("laste ned", "log in") replaced by one word."""
    return _PHRASE.sub(lambda m: PHRASES[m.group(0)], fold(text))


def canonical_parts(word: str) -> tuple[str, ...]:
    """`canonical(word)`, or the canonical parts of a compound whose tail is a known word:
    "telefonnummer" -> ("phone", "number"), "fakturaliste" -> ("invoice", "list")."""
    key = canonical(word)
    table = _canon()
    if key in table.values() or len(word) < 7:
        return (key,)
    stemmed = stem(word)
    for size in range(len(stemmed) - 3, 2, -1):
        head, tail = stemmed[:-size], stemmed[-size:]
        # The stemmer took the tail's final "e" with its ending: "portkoden" -> "portkod".
        known = next((t for t in (tail, tail + "e") if t in table), None)
        if known and len(head) >= 3:
            return (canonical(head.rstrip("s")), table[known])
    return (key,)


def is_synonym(word: str) -> bool:
    """Whether `word` belongs to one of the synonym groups."""
    return stem(fold(word)) in _canon()


def canonical(word: str) -> str:
    """The stem of `word`, mapped onto its group's first word when it has one. A genitive
    ("customer's", Norwegian "ukes", "måneds") is the word it is formed from."""
    if word.endswith("'s"):
        word = word[:-2]
    table = _canon()
    key = stem(word)
    if key not in table and word.endswith("s") and stem(word[:-1]) in table:
        key = stem(word[:-1])
    if key in table:
        return table[key]
    return table.get(cognate(key), cognate(key))
