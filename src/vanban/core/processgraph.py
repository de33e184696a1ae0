"""Checking an agency's processing rule before it is put in force: a process whose steps cannot
all be reached from the first one, or that has no way to an end, would strand documents
(QĐ 16/2019 Art 10.1: each agency's own internal process). Pure: keys in, problems out."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    key: Hashable
    name: str
    is_end: bool = False


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def _reach(start: Hashable, edges: dict[Hashable, list[Hashable]]) -> set[Hashable]:
    seen, todo = {start}, deque([start])
    while todo:
        for nxt in edges.get(todo.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def depths(steps: Sequence[Step], transitions: Sequence[tuple[Hashable, Hashable]]) -> dict[Hashable, int]:
    """Breadth-first distance from the first step (unreachable steps one row below the rest)."""
    if not steps:
        return {}
    forward: dict[Hashable, list[Hashable]] = {}
    for a, b in transitions:
        forward.setdefault(a, []).append(b)
    out = {steps[0].key: 0}
    todo = deque([steps[0].key])
    while todo:
        key = todo.popleft()
        for nxt in forward.get(key, []):
            if nxt not in out:
                out[nxt] = out[key] + 1
                todo.append(nxt)
    last = max(out.values(), default=0) + 1
    return {s.key: out.get(s.key, last) for s in steps}


def check(steps: Sequence[Step], transitions: Sequence[tuple[Hashable, Hashable]]) -> list[Problem]:
    """Everything wrong with a process whose first step is `steps[0]`; empty when it can be used."""
    if not steps:
        return [Problem("PROCESS_EMPTY", "Quy trình chưa có bước nào.")]
    names = {s.key: s.name for s in steps}
    problems: list[Problem] = []
    forward: dict[Hashable, list[Hashable]] = {}
    backward: dict[Hashable, list[Hashable]] = {}
    for a, b in transitions:
        if a not in names or b not in names:
            problems.append(Problem("PROCESS_BAD_TRANSITION", "Có bước chuyển tới một bước không thuộc quy trình."))
            continue
        forward.setdefault(a, []).append(b)
        backward.setdefault(b, []).append(a)
    ends = [s.key for s in steps if s.is_end]
    if not ends:
        problems.append(Problem("PROCESS_NO_END", "Quy trình chưa có bước kết thúc."))
    if steps[0].is_end:
        problems.append(Problem("PROCESS_START_IS_END", "Bước đầu tiên không thể là bước kết thúc."))
    for s in steps:
        if s.is_end and forward.get(s.key):
            problems.append(Problem("PROCESS_END_HAS_EXIT", f"Bước kết thúc “{s.name}” không được chuyển tiếp."))
    reached = _reach(steps[0].key, forward)
    unreachable = [names[s.key] for s in steps if s.key not in reached]
    if unreachable:
        problems.append(Problem("PROCESS_UNREACHABLE",
                                "Không có đường tới bước: " + ", ".join(f"“{n}”" for n in unreachable) + "."))
    if ends:
        can_finish: set[Hashable] = set()
        for end in ends:
            can_finish |= _reach(end, backward)
        stuck = [names[s.key] for s in steps if s.key in reached and s.key not in can_finish]
        if stuck:
            problems.append(Problem("PROCESS_DEAD_END", "Từ bước " + ", ".join(f"“{n}”" for n in stuck)
                                    + " không có đường tới bước kết thúc."))
    return problems
