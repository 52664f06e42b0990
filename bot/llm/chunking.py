"""Splitting long meeting notes into parts the model can take in one call.

LangChain's recursive splitter tries paragraph breaks first, then lines, then sentences, so a
part ends where a thought ends whenever possible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter


def make_notes_splitter(max_chars: int) -> RecursiveCharacterTextSplitter:
    # Imported here: LangChain takes a while to load, and only notes too long for one call
    # need it.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=max_chars,
        chunk_overlap=0,
        separators=["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
        keep_separator="end",
        strip_whitespace=True,
    )


def split_notes(text: str, max_chars: int) -> list[str]:
    """Parts of at most `max_chars` characters, cut on paragraph boundaries where possible."""
    if len(text) <= max_chars:
        return [text]
    return [part for part in make_notes_splitter(max_chars).split_text(text) if part.strip()]
