"""Splitting Markdown into sections for the index: by headings first (a section is the unit a
citation points at), then by size for very long sections."""

from __future__ import annotations

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]


def split_markdown(text: str, *, max_chars: int = 1500) -> list[tuple[str, str]]:
    """(heading path, section text) pairs in document order; text without headings is one
    section titled ""."""
    by_heading = MarkdownHeaderTextSplitter(HEADERS, strip_headers=False).split_text(text)
    by_size = RecursiveCharacterTextSplitter(chunk_size=max_chars, chunk_overlap=100)
    sections: list[tuple[str, str]] = []
    for doc in by_heading:
        title = " › ".join(str(doc.metadata[key]) for _, key in HEADERS if key in doc.metadata)
        for chunk in by_size.split_text(doc.page_content):
            if chunk.strip():
                sections.append((title, chunk.strip()))
    return sections
