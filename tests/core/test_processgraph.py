"""Issue 20: a process is checked before it is put in force (unreachable steps, no end, a step
with no way to an end, an end that goes on) and drawn as a picture that reads without script."""

from __future__ import annotations

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from vanban.core.processdraw import Arrow, Box, svg
from vanban.core.processgraph import Step, check, depths

STEPS = [Step(1, "Văn thư tiếp nhận"), Step(2, "Trưởng phòng phân công"), Step(3, "Chuyên viên xử lý"),
         Step(4, "Lãnh đạo duyệt"), Step(5, "Hoàn thành", is_end=True)]
GOOD = [(1, 2), (2, 3), (3, 4), (4, 3), (4, 5)]


def codes(steps: list[Step], moves: list[tuple[int, int]]) -> set[str]:
    return {p.code for p in check(steps, moves)}


def test_a_good_process_has_no_problems() -> None:
    assert check(STEPS, GOOD) == []
    assert depths(STEPS, GOOD) == {1: 0, 2: 1, 3: 2, 4: 3, 5: 4}


def test_each_problem_is_named() -> None:
    assert codes([], []) == {"PROCESS_EMPTY"}
    assert codes(STEPS[:4], GOOD[:4]) == {"PROCESS_NO_END"}
    unreachable = check(STEPS, [(1, 3), (3, 4), (4, 5)])
    assert [p.code for p in unreachable] == ["PROCESS_UNREACHABLE"]
    assert "“Trưởng phòng phân công”" in unreachable[0].message
    stuck = check(STEPS, [(1, 2), (2, 3), (3, 2), (1, 5)])  # 2 and 3 only go round; 4 never reached
    assert {p.code for p in stuck} == {"PROCESS_UNREACHABLE", "PROCESS_DEAD_END"}
    assert "“Chuyên viên xử lý”" in next(p.message for p in stuck if p.code == "PROCESS_DEAD_END")
    assert "PROCESS_END_HAS_EXIT" in codes(STEPS, [*GOOD, (5, 1)])
    assert "PROCESS_START_IS_END" in codes([Step(1, "Xong", True)], [])
    assert "PROCESS_BAD_TRANSITION" in codes(STEPS, [*GOOD, (4, 99)])


def _closure(n: int, moves: set[tuple[int, int]]) -> set[tuple[int, int]]:
    reach = {(i, i) for i in range(n)} | set(moves)
    for k, i, j in product(range(n), repeat=3):  # Floyd–Warshall, k outermost
        if (i, k) in reach and (k, j) in reach:
            reach.add((i, j))
    return reach


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 7).flatmap(lambda n: st.tuples(
    st.just(n), st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))), st.sets(st.integers(1, n - 1)))))
def test_check_agrees_with_a_transitive_closure(case: tuple[int, set[tuple[int, int]], set[int]]) -> None:
    n, moves, ends = case
    moves = {(a, b) for a, b in moves if a != b and a not in ends}  # what the services allow to be written
    steps = [Step(i, f"B{i}", i in ends) for i in range(n)]
    reach = _closure(n, moves)
    found = codes(steps, sorted(moves))
    assert ("PROCESS_UNREACHABLE" in found) == any((0, i) not in reach for i in range(n))
    assert ("PROCESS_NO_END" in found) == (not ends)
    stuck = any((0, i) in reach and not any((i, e) in reach for e in ends) for i in range(n))
    assert ("PROCESS_DEAD_END" in found) == (bool(ends) and stuck)


def test_the_drawing_is_plain_svg_with_the_current_step_marked() -> None:
    boxes = [Box(s, "Văn thư" if s.key == 1 else "", current=s.key == 3) for s in STEPS]
    boxes.append(Box(Step(6, "<script>alert(1)</script> & “bước”"), "x"))
    arrows = [Arrow(a, b, "Trả lại" if (a, b) == (4, 3) else f"{a}→{b}") for a, b in GOOD]
    picture = svg(boxes, arrows, "Quy trình “thử”")
    root = etree.fromstring(picture.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert [g.get("data-step") for g in root.findall("s:g", ns)] == ["1", "2", "3", "4", "5", "6"]
    assert [g.get("data-step") for g in root.findall("s:g[@data-current]", ns)] == ["3"]
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Chuyên viên xử lý" in texts and "Trả lại" in texts
    assert "<script>alert(1)</script> & “…" in texts  # escaped, read back as text; long names clipped
    assert root.find("s:g[@data-step='6']/s:title", ns).text == "<script>alert(1)</script> & “bước” — x"
    assert root.find("s:script", ns) is None
    assert len(root.findall("s:path[@stroke-dasharray]", ns)) == 1  # the one move back
    assert svg([], []) == ""
