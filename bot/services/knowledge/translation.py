"""Record-time translation: a record written in another of the project's languages is also
indexed translated, so an English question finds a Norwegian decision and the reverse, with a
local English-centred embedding model (see docs/retrieval.md).

One small chat-model call per record, at most: the translations are cached by a hash of the
language and the exact text, so re-indexing (``apo index``, an edit that changes nothing, a
restart that refills the index) never asks again. A failed call leaves the record indexed in its
own language only; the next time it is indexed, it is tried again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from bot.llm.base import ChatModel
from bot.llm.prompts import Prompt
from bot.retrieval.language import LANGUAGES, missing_languages
from bot.services.knowledge.ports import TranslationCache

log = logging.getLogger(__name__)

PURPOSE = "translate_record"
PROMPT_VARIABLES = frozenset({"languages", "record"})
# A record longer than this is a document, not a record: translating it is not "one small
# call", and its keyword half already holds its names and ids.
MAX_CHARS = 4000


class Translation(BaseModel):
    language: str = Field(description="The language translated into, exactly as requested.")
    text: str = Field(description="The whole record in that language.")


class RecordTranslations(BaseModel):
    translations: list[Translation]


def cache_key(language: str, text: str) -> str:
    """The same text into the same language is translated once, whichever record holds it."""
    return hashlib.sha256(f"{language}\n{text}".encode()).hexdigest()


def project_languages(working: str, others: Sequence[str]) -> tuple[str, ...]:
    """The languages the bot can translate into among a project's ``working`` language (its
    ``language`` setting) and the ``others`` its people also write in, matched by name in
    any case ("norwegian", "Norwegian")."""
    known = {name.casefold(): name for name in LANGUAGES}
    wanted = (known.get(name.strip().casefold()) for name in (working, *others))
    return tuple(dict.fromkeys(name for name in wanted if name))


class RecordTranslator:
    """Translations of a record into those of its project's languages it is not written in."""

    def __init__(
        self,
        chat: ChatModel,
        prompt: Prompt,
        cache: TranslationCache,
        languages: Callable[[str], Sequence[str]],
    ) -> None:
        self._chat = chat
        self._prompt = prompt
        self._cache = cache
        self._languages = languages

    def translations(self, project: str, text: str) -> dict[str, str]:
        """Language -> translation, for each language of ``project`` that ``text`` lacks.
        Never raises: a record that cannot be translated is still indexed as written."""
        record = text.strip()
        if not record or len(record) > MAX_CHARS:
            return {}
        try:
            wanted = missing_languages(record, self._languages(project))
            found = {
                language: cached
                for language in wanted
                if (cached := self._cache.get(cache_key(language, record))) is not None
            }
            asked = [language for language in wanted if language not in found]
            if asked:
                found.update(self._ask(record, asked))
        except Exception:
            log.warning("could not translate a record of %s; indexed as written", project)
            return {}
        # A "translation" that is the record itself (a record already in that language, or a
        # model that echoed it) adds nothing to the index.
        return {
            language: translated
            for language, translated in found.items()
            if " ".join(translated.split()) != " ".join(record.split())
        }

    def _ask(self, record: str, languages: list[str]) -> dict[str, str]:
        answer = self._chat.structured(
            self._prompt.render(languages=", ".join(languages), record=record),
            RecordTranslations,
            purpose=PURPOSE,
        )
        by_name = {language.casefold(): language for language in languages}
        got: dict[str, str] = {}
        for item in answer.translations:
            language = by_name.get(item.language.strip().casefold())
            if language is not None and item.text.strip() and language not in got:
                got[language] = item.text.strip()
                self._cache.put(cache_key(language, record), language, got[language])
        return got


__all__ = [
    "PROMPT_VARIABLES",
    "RecordTranslations",
    "RecordTranslator",
    "cache_key",
    "project_languages",
]
