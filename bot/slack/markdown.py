"""The model writes Markdown; Slack shows `mrkdwn` in sections and Markdown in streams.

Both conversions start by escaping `&`, `<`, `>` (the model may quote people, and Slack turns
`<!channel>` or `<@U…>` into live mentions), then rebuild only what we allow: links to http(s)
addresses, bold, headings as bold lines, bullets. Tables, which neither surface shows well,
become one bullet per row ("Header: value; Header: value").
"""

from __future__ import annotations

import re

from bot.slack.text import escape

_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((https?://[^\s)<>]{1,1000})\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def to_mrkdwn(text: str) -> str:
    """Model Markdown as Slack `mrkdwn` for a section block."""
    lines = []
    for line in _tables_to_lists(escape(text).splitlines()):
        heading = _HEADING.match(line)
        if heading:
            line = f"*{heading.group(1)}*"
        else:
            line = _BULLET.sub(lambda m: f"{m.group(1)}• ", line)
        line = _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", line)
        line = _LINK.sub(lambda m: f"<{_url(m.group(2))}|{m.group(1)}>", line)
        lines.append(line)
    return "\n".join(lines)


def to_markdown(text: str) -> str:
    """Model Markdown made safe for a stream's `markdown_text`: escaped, links to http(s)
    only (any other link keeps its text), tables as lists."""
    lines = _tables_to_lists(escape(text).splitlines())
    unsafe = re.compile(r"\[([^\]\n]{1,300})\]\((?!https?://)(?:[^()\n]|\([^()\n]*\))*\)")
    return "\n".join(unsafe.sub(lambda m: m.group(1), line) for line in lines)


def _url(url: str) -> str:
    # Inside <url|text> a "|" or ">" would end the link early; escape() already did "<" and ">".
    return url.replace("|", "%7C")


def _tables_to_lists(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _is_row(lines[i]) and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
            headers = _cells(lines[i])
            i += 2
            while i < len(lines) and _is_row(lines[i]):
                cells = _cells(lines[i])
                pairs = [
                    f"{h}: {c}" if h else c
                    for h, c in zip(headers + [""] * len(cells), cells, strict=False)
                    if c
                ]
                out.append("• " + "; ".join(pairs))
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return out


def _is_row(line: str) -> bool:
    return line.count("|") >= 2 and line.strip().startswith("|")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]
