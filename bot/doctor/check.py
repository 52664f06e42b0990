"""One line of the doctor's report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False  # a missing optional part warns instead of failing

    @property
    def mark(self) -> str:
        return "ok  " if self.ok else ("warn" if self.optional else "FAIL")

    @property
    def failed(self) -> bool:
        return not self.ok and not self.optional
