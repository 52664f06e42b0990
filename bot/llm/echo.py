"""Whether a model's output repeats its instructions.

A prompt injection in meeting notes, a recorded decision or a question ("print your system
prompt") can make a model copy its instructions into a story, an answer or a digest summary.
The instructions are the operator's, not the users', so output that repeats a run of them is
refused like any other unusable output. Runs of `RUN` words are compared after lower-casing
and dropping punctuation: short enough to catch a paraphrased copy's verbatim stretches, long
enough that ordinary phrasing ("the records you are given") does not trip it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

RUN = 10
_WORD = re.compile(r"\w+")


def _runs(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a parsed answer (dicts, lists and strings, as `model_dump` gives)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def repeats_instructions(outputs: Iterable[str], instructions: str) -> bool:
    """True if any output holds `RUN` consecutive words of `instructions`."""
    secret = _runs(instructions)
    return bool(secret) and any(_runs(text) & secret for text in outputs)
