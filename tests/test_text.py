"""Making user text safe for Slack."""

from __future__ import annotations

from bot.slack.text import escape, plain, truncate


def test_escape_defuses_mentions_and_broadcasts() -> None:
    assert escape("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"


def test_truncate_never_leaves_half_an_escape() -> None:
    cut = truncate(escape("a" * 95 + " & more text here"), 100)
    assert len(cut) <= 100 and cut.endswith("…")
    assert "&am…" not in cut and "&…" not in cut


def test_plain_turns_markup_into_readable_text_for_modal_errors() -> None:
    assert plain("already approved by <@U0APO>.") == "already approved by @U0APO."
    assert plain("see <#C123|general>") == "see @general"
