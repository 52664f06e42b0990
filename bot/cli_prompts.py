"""Questions on the terminal for `apo init`: a default in brackets, a check that re-asks until
the answer is usable, and the same answers from flags (`--yes` asks nothing)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from bot.errors import ConfigError

ENDED = "apo init stopped: the input ended (in scripts, use --yes and flags)."
Check = Callable[[str], str | None]  # the problem with an answer, or None when it will do


class Prompter:
    def __init__(self, *, interactive: bool, out: TextIO = sys.stdout) -> None:
        self.interactive = interactive
        self.out = out

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def ask(
        self,
        question: str,
        *,
        flag: str,
        given: str | None = None,
        default: str = "",
        secret: bool = False,
        optional: bool = False,
        check: Check | None = None,
    ) -> str:
        """The answer: from the flag, else typed (Enter takes the default), checked."""
        if given is not None or not self.interactive:
            answer = given if given is not None else default
            if not answer and not optional:
                raise ConfigError(f"apo init --yes needs {flag} (nothing to default to).")
            problem = check(answer) if check and answer else None
            if problem:
                raise ConfigError(f"{flag}: {problem}")
            return answer
        while True:
            shown = ("****" + default[-4:] if secret else default) if default else ""
            prompt = f"{question}{f' [{shown}]' if shown else ''}: "
            typed = (self._secret(prompt) if secret else self._input(prompt)).strip()
            answer = typed or default
            if not answer:
                if optional:
                    return ""
                self.say("  An answer is needed here.")
                continue
            problem = check(answer) if check else None
            if problem is None:
                return answer
            self.say(f"  {problem}")

    def confirm(self, question: str, *, default: bool) -> bool:
        if not self.interactive:
            return default
        while True:
            typed = self._input(f"{question} [{'Y/n' if default else 'y/N'}]: ").strip().lower()
            if not typed:
                return default
            if typed in ("y", "yes", "n", "no"):
                return typed.startswith("y")
            self.say("  Answer y or n.")

    def choose(
        self,
        question: str,
        options: Sequence[tuple[str, str]],
        *,
        flag: str,
        given: str | None = None,
        default: str = "",
        many: bool = False,
    ) -> list[str]:
        """Ids chosen by number, name or id from `options` ((id, name) pairs); any id is taken
        when Slack listed nothing (e.g. it could not be reached)."""
        if options and self.interactive and given is None:
            for number, (item, name) in enumerate(options[:60], start=1):
                self.say(f"  {number:>2}. {name} ({item})")
            if len(options) > 60:
                self.say(f"  … and {len(options) - 60} more: type a name")
        picked: list[str] = []

        def check(answer: str) -> str | None:
            picked.clear()
            for part in answer.split(",") if many else [answer]:
                found = _pick(part.strip(), options)
                if found is None:
                    return f"{part.strip()!r} is not one of the choices (a number, name or id)."
                picked.append(found)
            return None

        self.ask(question, flag=flag, given=given, default=default, check=check)
        return list(picked)

    def _secret(self, prompt: str) -> str:
        try:
            return getpass.getpass(prompt)
        except EOFError:
            raise ConfigError(ENDED) from None

    def _input(self, prompt: str) -> str:
        self.out.write(prompt)
        self.out.flush()
        line = sys.stdin.readline()
        if not line:
            raise ConfigError(ENDED)
        return line


def _pick(text: str, options: Sequence[tuple[str, str]]) -> str | None:
    if not text:
        return None
    name = text.lstrip("#@").lower()
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1][0]
    for item, label in options:
        if text == item or name == label.lstrip("#@").lower():
            return item
    if not options and text[:1] in "CGUW" and text.isalnum() and text.isupper():
        return text  # nothing was listed: an id is taken as it is
    return None
