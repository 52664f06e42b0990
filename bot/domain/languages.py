"""The languages the bot stems, searches and translates between, by the name projects use."""

from __future__ import annotations

LANGUAGES = ("English", "Norwegian")
