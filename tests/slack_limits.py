"""Slack Block Kit limits as a test helper, for every surface's builder tests.

The numbers are Slack's (design.md §5): a message or view that breaks one is refused by the API,
so the user sees nothing at all. Checking the structure here is cheaper than finding out live.
"""

from __future__ import annotations

import json
from typing import Any

Block = dict[str, Any]
LIVE_MENTIONS = ("<!channel>", "<!here>", "<@U123>")


def assert_within_slack_limits(blocks: list[Block], *, modal: bool = False) -> None:
    """Fail with the offending block if anything exceeds a Slack Block Kit limit."""
    assert blocks, "Slack rejects a message or modal without blocks"
    assert len(blocks) <= (100 if modal else 50), f"{len(blocks)} blocks"
    for block in blocks:
        kind = block["type"]
        assert len(block.get("block_id", "")) <= 255, block
        if kind == "section":
            assert 0 < len(block["text"]["text"]) <= 3000, block
            if "accessory" in block:
                _check_button(block["accessory"])
        elif kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= 150, block
        elif kind == "context":
            assert 0 < len(block["elements"]) <= 10, block
            for element in block["elements"]:
                assert 0 < len(element["text"]) <= 3000, block
        elif kind == "actions":
            assert 0 < len(block["elements"]) <= 25, block
            for element in block["elements"]:
                _check_button(element)
            action_ids = [e["action_id"] for e in block["elements"]]
            assert len(set(action_ids)) == len(action_ids), "duplicate action_id in a block"
        elif kind == "input":
            assert modal, "input blocks belong in modals"
            _check_input(block)
        else:
            assert kind == "divider", f"unexpected block type {kind}"


def _check_button(element: Block) -> None:
    assert element["type"] == "button"
    assert 0 < len(element["text"]["text"]) <= 75, element
    assert len(element["value"]) <= 2000, element
    assert 0 < len(element["action_id"]) <= 255, element


def _check_input(block: Block) -> None:
    assert 0 < len(block["label"]["text"]) <= 2000, block
    assert len(block.get("hint", {}).get("text", "")) <= 2000, block
    element = block["element"]
    if element["type"] == "plain_text_input":
        assert element.get("max_length", 3000) <= 3000, block
        assert len(element.get("initial_value", "")) <= element.get("max_length", 3000), block
    if element["type"] == "static_select":
        assert 0 < len(element["options"]) <= 100, block
        for option in element["options"]:
            assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150, option


def assert_modal_within_limits(view: Block) -> None:
    assert view["type"] == "modal"
    for key in ("title", "submit", "close"):
        if key in view:
            assert 0 < len(view[key]["text"]) <= 24, (key, view[key])
    assert len(view.get("private_metadata", "")) <= 3000
    assert len(view["callback_id"]) <= 255
    assert_within_slack_limits(view["blocks"], modal=True)


def assert_no_live_mentions(*outputs: object) -> None:
    dumped = json.dumps(outputs, ensure_ascii=False)
    for mention in LIVE_MENTIONS:
        assert mention not in dumped, f"{mention} would ping people"


def action_elements(blocks: list[Block]) -> list[Block]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def all_text(blocks: list[Block]) -> str:
    return json.dumps(blocks, ensure_ascii=False)
