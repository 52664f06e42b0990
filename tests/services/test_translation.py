"""Record-time translation: which records are translated, one call per record at most, the
cache, and what happens when the model fails."""

from __future__ import annotations

import pytest

from bot.errors import LLMError
from bot.llm.prompts import PromptLibrary
from bot.retrieval.language import missing_languages, mix
from bot.services.knowledge.translation import (
    PROMPT_VARIABLES,
    RecordTranslator,
    cache_key,
    project_languages,
)
from tests.fakes import FakeChatModel

NORWEGIAN = "Kreditnotaer får en egen nummerserie og skal alltid vise til fakturaen de krediterer."
ENGLISH = "Credit notes get their own number series and always refer to the invoice they credit."


class MemoryCache:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str]] = {}

    def get(self, key: str) -> str | None:
        return self.rows[key][1] if key in self.rows else None

    def put(self, key: str, language: str, text: str) -> None:
        self.rows.setdefault(key, (language, text))


def translator(chat: FakeChatModel, cache: MemoryCache, *languages: str) -> RecordTranslator:
    prompt = PromptLibrary().get("translate_record", variables=PROMPT_VARIABLES)
    return RecordTranslator(chat, prompt, cache, lambda _project: languages)


def reply(**texts: str) -> dict[str, object]:
    return {"translations": [{"language": k, "text": v} for k, v in texts.items()]}


def test_a_record_in_another_language_is_translated_once_and_then_read_from_the_cache() -> None:
    chat, cache = FakeChatModel(reply(English=ENGLISH)), MemoryCache()
    bot = translator(chat, cache, "English")

    assert bot.translations("acme", NORWEGIAN) == {"English": ENGLISH}
    assert bot.translations("acme", NORWEGIAN) == {"English": ENGLISH}  # no second call queued

    [sent] = chat.prompts
    assert sent.purpose == "translate_record" and "Languages: English" in sent.text
    assert f"<record>\n{NORWEGIAN}\n</record>" in sent.text
    assert cache.get(cache_key("English", NORWEGIAN)) == ENGLISH


def test_a_record_in_the_working_language_costs_no_call() -> None:
    chat = FakeChatModel()  # any call fails the test
    assert translator(chat, MemoryCache(), "English").translations("acme", ENGLISH) == {}
    assert translator(chat, MemoryCache(), "Norwegian").translations("acme", NORWEGIAN) == {}


def test_a_two_language_project_gets_each_record_in_the_language_it_lacks() -> None:
    chat = FakeChatModel(reply(Norwegian=NORWEGIAN))
    bot = translator(chat, MemoryCache(), "English", "Norwegian")

    assert bot.translations("acme", ENGLISH) == {"Norwegian": NORWEGIAN}
    assert "Languages: Norwegian" in chat.prompts[0].text


def test_a_failed_or_echoed_translation_leaves_the_record_as_written() -> None:
    chat = FakeChatModel(LLMError("model down"), reply(English=NORWEGIAN))
    cache = MemoryCache()
    bot = translator(chat, cache, "English")

    assert bot.translations("acme", NORWEGIAN) == {}  # failure: logged, nothing cached
    assert cache.rows == {}
    assert bot.translations("acme", NORWEGIAN) == {}  # tried again; an echo adds nothing


def test_a_language_the_model_was_not_asked_for_is_ignored() -> None:
    chat = FakeChatModel(reply(French="Les notes de crédit…", English=ENGLISH))
    assert translator(chat, MemoryCache(), "English").translations("acme", NORWEGIAN) == {
        "English": ENGLISH
    }


@pytest.mark.parametrize(
    ("text", "lacks"),
    [
        (ENGLISH, ["Norwegian"]),
        (NORWEGIAN, ["English"]),
        # mostly Norwegian with an English clause: each language gets the whole record
        (
            "Standard betalingsfrist er 10 dager for nye kunder, og eldre kunder beholder sine "
            "14 dager. The allowed range per customer stays 7 to 60 days.",
            ["English", "Norwegian"],
        ),
        ("Gruppetimer har nå plass til 12 deltakere.", ["English"]),  # æøå, few function words
    ],
)
def test_language_is_told_by_function_words(text: str, lacks: list[str]) -> None:
    assert missing_languages(text, ["English", "Norwegian"]) == lacks


def test_unknown_languages_are_never_asked_for() -> None:
    assert missing_languages(ENGLISH, ["Swahili", "Norwegian"]) == ["Norwegian"]
    assert project_languages("english", ["NORWEGIAN", "Thai"]) == ("English", "Norwegian")
    assert mix("").share("English") == 1.0  # nothing to tell: the bot's default
