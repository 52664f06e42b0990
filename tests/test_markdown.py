"""Model Markdown rendered for Slack: people's text stays inert, links to web pages survive,
tables become lists."""

from __future__ import annotations

from bot.slack.markdown import to_markdown, to_mrkdwn

ANSWER = """## Due dates
Invoices are **due** in 14 days, see [the decision](https://acme.slack.com/archives/C1/p1).
<!channel> <@U123> & [click](javascript:alert(1))

| Kind | Days |
|------|-----:|
| Invoice | 14 |
| Credit note | 0 |
- one
"""


def test_mrkdwn_keeps_links_and_bold_and_turns_tables_into_lists() -> None:
    text = to_mrkdwn(ANSWER)

    assert text.startswith("*Due dates*\n")
    assert "are *due* in 14 days" in text
    assert "<https://acme.slack.com/archives/C1/p1|the decision>" in text
    assert "• Kind: Invoice; Days: 14\n• Kind: Credit note; Days: 0" in text
    assert "• one" in text and "|------|" not in text


def test_people_s_text_never_pings_or_links_anywhere_but_the_web() -> None:
    for text in (to_mrkdwn(ANSWER), to_markdown(ANSWER)):
        assert "<!channel>" not in text and "<@U123>" not in text
        assert "&lt;!channel&gt; &lt;@U123&gt; &amp;" in text
        assert "<javascript:" not in text and "](javascript:" not in text.replace(
            "[click](javascript:alert(1))", ""
        )


def test_stream_markdown_keeps_web_links_drops_others_and_lists_tables() -> None:
    text = to_markdown(ANSWER)

    assert "[the decision](https://acme.slack.com/archives/C1/p1)" in text
    assert "&amp; click\n" in text  # the link's text stays, the script link goes
    assert "• Kind: Credit note; Days: 0" in text


def test_a_pipe_in_a_link_cannot_end_the_link_early() -> None:
    assert to_mrkdwn("[x](https://e.com/a|b)") == "<https://e.com/a%7Cb|x>"
