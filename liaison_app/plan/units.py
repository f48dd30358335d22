"""The canonical unit registry: names, categories, aliases, and splitting of run-together names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from liaison_app.plan.model import Unit

# Display groups for the unit picker, in the order a liaison scans them.
CATEGORY_DISTRICT = "区级部门"
CATEGORY_ZONE = "经开区部门"
CATEGORY_JUSTICE = "法院和检察院"
CATEGORY_UTILITY = "公用企业和服务机构"
CATEGORIES = (CATEGORY_DISTRICT, CATEGORY_ZONE, CATEGORY_JUSTICE, CATEGORY_UTILITY)


def default_category(name: str) -> str:
    """The display group a unit falls into when the errata table does not say otherwise."""
    if name.startswith("经开区") or name.endswith("经开区局"):
        return CATEGORY_ZONE
    if name in ("区法院", "区检察院"):
        return CATEGORY_JUSTICE
    if name.endswith(("公司", "营管所", "办事处", "登记中心")):
        return CATEGORY_UTILITY
    return CATEGORY_DISTRICT


@dataclass(frozen=True)
class SplitResult:
    """The outcome of reading one unit cell: names found and fragments that were not names."""

    names: tuple[str, ...]
    unresolved: tuple[str, ...]
    aliased: tuple[tuple[str, str], ...]  # (written, canonical)
    unseparated: tuple[str, ...]  # segments that held several names with no 、 between them


class UnitRegistry:
    """Canonical unit names plus written variants (aliases, typos) that resolve to them."""

    def __init__(self, units: Iterable[Unit], aliases: dict[str, str]) -> None:
        self._units: dict[str, Unit] = {}
        for unit in units:
            self._units.setdefault(unit.name, unit)
        for alias, target in aliases.items():
            if target not in self._units:
                raise ValueError(f"别名 {alias!r} 指向未知单位 {target!r}")
        self._aliases = dict(aliases)
        # Every written form that maps to a canonical name, longest first for greedy splits.
        self._forms: dict[str, str] = {name: name for name in self._units}
        self._forms.update(self._aliases)
        self._forms_by_length = sorted(self._forms, key=len, reverse=True)

    @property
    def units(self) -> list[Unit]:
        return list(self._units.values())

    @property
    def aliases(self) -> dict[str, str]:
        return dict(self._aliases)

    def __contains__(self, name: object) -> bool:
        return name in self._units

    def unit(self, name: str) -> Unit:
        return self._units[name]

    def resolve(self, written: str) -> str | None:
        """The canonical name for a written form, or None."""
        return self._forms.get(_normalise(written))

    def is_prefix_of_a_name(self, fragment: str) -> bool:
        fragment = _normalise(fragment)
        return bool(fragment) and any(form.startswith(fragment) for form in self._forms)

    def suggestions(self, written: str, limit: int = 3) -> list[str]:
        """Closest canonical names for an unknown input (``区城管`` → ``区城管局``)."""
        written = _normalise(written)
        if not written:
            return []
        containing = [n for n in self._units if written in n]
        close = difflib.get_close_matches(written, list(self._forms), n=limit * 2, cutoff=0.5)
        ordered: list[str] = []
        for candidate in [*sorted(containing, key=len), *(self._forms[c] for c in close)]:
            if candidate not in ordered:
                ordered.append(candidate)
        return ordered[:limit]

    def search(self, text: str) -> list[str]:
        """Canonical names whose name or alias contains ``text`` (for a type-ahead picker)."""
        text = _normalise(text)
        return [n for n in self._units if text in n] + [
            target for alias, target in self._aliases.items() if text in alias
        ]

    def split(self, cell: str) -> SplitResult:
        """Read a unit cell: names separated by 、 (or commas), some run together, some aliased."""
        names: list[str] = []
        unresolved: list[str] = []
        aliased: list[tuple[str, str]] = []
        unseparated: list[str] = []
        for segment in _segments(cell):
            direct = self.resolve(segment)
            if direct is not None:
                names.append(direct)
                if segment != direct:
                    aliased.append((segment, direct))
                continue
            parts = self._decompose(segment)
            if parts is None:
                unresolved.append(segment)
                continue
            unseparated.append(segment)
            for part in parts:
                canonical = self._forms[part]
                names.append(canonical)
                if part != canonical:
                    aliased.append((part, canonical))
        return SplitResult(tuple(names), tuple(unresolved), tuple(aliased), tuple(unseparated))

    def _decompose(self, segment: str) -> tuple[str, ...] | None:
        return _decompose(segment, tuple(self._forms_by_length))


def _normalise(text: str) -> str:
    return "".join(text.split()).replace("（", "(").replace("）", ")")


def _segments(cell: str) -> list[str]:
    cleaned = _normalise(cell)
    for separator in ("，", ",", "；", ";"):
        cleaned = cleaned.replace(separator, "、")
    return [s for s in cleaned.split("、") if s]


@lru_cache(maxsize=4096)
def _decompose(segment: str, forms: tuple[str, ...]) -> tuple[str, ...] | None:
    """Split a run of names written with no separator, e.g. ``区政务办经开区经发局``.

    Needs at least two names covering the whole segment exactly; the longest first match wins.
    """
    if not segment:
        return ()
    for form in forms:
        if segment.startswith(form):
            rest = _decompose(segment[len(form) :], forms)
            if rest is not None:
                return (form, *rest)
    return None
