"""What model tokens cost, for `apo stats`' estimate: US dollars per million prompt and
completion tokens, per model name.

The built-in table is OpenAI's list prices for the models this project suggests, as published
in 2025; prices change and discounts (cached prompts, batch) are not applied, so the figure is
an estimate. `APO_MODEL_PRICES` adds or overrides models, e.g.
`gpt-4.1-mini=0.40/1.60,llama3.1=0/0` (a local server's model costs nothing per token).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError


@dataclass(frozen=True)
class Price:
    prompt_per_million: float
    completion_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.prompt_per_million
            + completion_tokens * self.completion_per_million
        ) / 1_000_000


LIST_PRICES = {
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
}


def parse_prices(text: str | None) -> dict[str, Price]:
    """`model=prompt/completion,…` (dollars per million tokens) → prices; ConfigError naming
    the part that is not in that shape."""
    prices: dict[str, Price] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        model, _, numbers = part.partition("=")
        prompt, _, completion = numbers.partition("/")
        try:
            price = Price(float(prompt), float(completion))
        except ValueError:
            price = None
        if not model.strip() or price is None or min(price.__dict__.values()) < 0:
            raise ConfigError(
                f"APO_MODEL_PRICES: {part!r} is not model=PROMPT/COMPLETION (dollars per "
                "million tokens), e.g. gpt-4.1-mini=0.40/1.60"
            )
        prices[model.strip()] = price
    return prices


def price_table(overrides: str | None) -> dict[str, Price]:
    return {**LIST_PRICES, **parse_prices(overrides)}
