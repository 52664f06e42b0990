"""Synonyms and translations of everyday software words, for comparing two stories' wording.

Two drafts of one need rarely share their exact words: "download my bills" and "export the
invoices", or a Norwegian story against an English backlog ("se forfalte fakturaer" and "view
overdue invoices"). Each group below maps onto its first word. The groups are common
vocabulary of business software, English and Norwegian, not phrases from any one project.
"""

from __future__ import annotations

from functools import cache

from .text import fold, phrase_pattern, stem

PHRASES = {
    "log in": "login", "sign in": "login", "logge inn": "login", "logge på": "login",
    "log out": "logout", "sign out": "logout", "logge ut": "logout", "logge av": "logout",
    "laste ned": "download", "laste opp": "upload", "legge til": "add", "legge ved": "upload",
    "skrive ut": "print", "look up": "search", "find out": "see", "keep track of": "track",
    "holde oversikt over": "track", "e-mail": "email", "e-post": "email", "e-poster": "email",
}  # fmt: skip

GROUPS = (
    "see view display show look vis vise se",
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
    "list liste overview oversikt",
    "search find søke finne søk",
    "filter filtrere",
    "sort sortere",
    "pay payment betale betaling",
    "approve accept godkjenne",
    "reject decline deny avvise",
    "cancel withdraw revoke avbestille avbryte kansellere trekke",
    "book reserve bestille reservere booke",
    "upload attach",
    "overdue late unpaid forfalt forfalte forsinket ubetalt",
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
    "save store lagre",
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
    "employee staff ansatt",
    "manager leder sjef",
    "document dokument",
    "file fil",
    "message melding",
    "receipt kvittering",
    "date dato",
    "price cost pris kostnad",
    "share dele",
    "schedule plan timeplan planlegge",
    "account konto",
    "password passord",
    "status tilstand",
    "history historikk",
    "booking reservation",
    "stock inventory lager beholdning",
    "product vare produkt",
    "task oppgave",
    "team gruppe",
    "comment kommentar",
    "total sum",
    "phone telefon mobile mobil",
    "ship dispatch sende",
    "broken faulty defective damaged ødelagt defekt",
    "revenue sales turnover income omsetning inntekt salg",
    "region area område",
    "break pause",
    "homework assignment lekse lekser",
    "reschedule move flytte",
    "number nummer",
    "record log register registrere registrer",
    "figures numbers tall",
    # People: a role named in the other language is still named in the notes.
    "accountant regnskapsfører bookkeeper",
    "dispatcher disponent",
    "warehouse lager",
    "nurse sykepleier",
    "doctor lege",
    "teacher lærer",
    "pupil elev",
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
    "coach trener",
    "agent saksbehandler caseworker",
)


@cache
def _canon() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in GROUPS:
        members = group.split()
        for word in members:
            table.setdefault(stem(word), stem(members[0]))
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
    if key in table.values() or len(word) < 8:
        return (key,)
    stemmed = stem(word)
    for size in range(len(stemmed) - 3, 3, -1):
        head, tail = stemmed[:-size], stemmed[-size:]
        if tail in table and len(head) >= 3:
            return (canonical(head.rstrip("s")), table[tail])
    return (key,)


def canonical(word: str) -> str:
    """The stem of `word`, mapped onto its group's first word when it has one."""
    if word.endswith("'s"):
        word = word[:-2]
    key = stem(word)
    return _canon().get(key, key)
