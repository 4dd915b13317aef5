"""The unit tree with roll-up: each unit's figures include those of all its sub-units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Node:
    """A unit (or, for an admin's country-wide view, an instansi) with its own figures and,
    once rolled up, its sub-units' too. `values` is a fixed-length vector (people, met) or
    (enrolled, in progress, completed)."""

    name: str
    instansi_code: str
    unit_code: str | None  # None: an instansi, or the people without a unit
    values: list[int]
    children: list[Node] = field(default_factory=list)
    depth: int = 0

    def percent(self, part: int = 1, whole: int = 0) -> float | None:
        if not self.values[whole]:
            return None
        return round(100 * self.values[part] / self.values[whole], 1)


NO_UNIT = "(Tanpa unit kerja)"


def build(
    *,
    width: int,
    instansi: Iterable[tuple[int, str, str]],
    units: Iterable[tuple[int, int, int | None, str, str]],
    leaves: Iterable[tuple[int | None, int | None, list[int]]],
    only_units: frozenset[int] | None,
    group_by_instansi: bool,
) -> list[Node]:
    """Roll the leaves (instansi_id, unit_id, values) up the unit tree. Only units in
    `only_units` (a filter's subtree) appear when it is given; an admin's country-wide view
    puts each instansi on top."""
    codes = {i: (code, name) for i, code, name in instansi}
    nodes: dict[int, Node] = {}
    parents: dict[int, int | None] = {}
    owner: dict[int, int] = {}
    for unit_id, unit_instansi, parent_id, code, name in units:
        if only_units is not None and unit_id not in only_units:
            continue
        nodes[unit_id] = Node(name, codes.get(unit_instansi, ("", ""))[0], code, [0] * width)
        parents[unit_id] = parent_id
        owner[unit_id] = unit_instansi
    loose: dict[int, Node] = {}  # people without a unit, per instansi
    for leaf_instansi, leaf_unit, values in leaves:
        if leaf_unit is not None and leaf_unit in nodes:
            target = nodes[leaf_unit]
        else:
            key = leaf_instansi or 0
            if key not in loose:
                loose[key] = Node(NO_UNIT, codes.get(key, ("", ""))[0], None, [0] * width)
            target = loose[key]
        target.values = [a + b for a, b in zip(target.values, values, strict=True)]
    roots: dict[int, list[Node]] = {}
    for unit_id, node in nodes.items():
        parent = parents[unit_id]
        if parent is not None and parent in nodes:
            nodes[parent].children.append(node)
        else:
            roots.setdefault(owner[unit_id], []).append(node)
    for instansi_id, node in loose.items():
        roots.setdefault(instansi_id, []).append(node)
    if group_by_instansi:
        top = []
        for instansi_id, (code, name) in codes.items():
            if instansi_id in roots:
                top.append(Node(name, code, None, [0] * width, roots[instansi_id]))
    else:
        top = [n for group in roots.values() for n in group]
    for node in top:
        _roll_up(node, 0)
    return top


def _roll_up(node: Node, depth: int) -> list[int]:
    node.depth = depth
    for child in node.children:
        node.values = [a + b for a, b in zip(node.values, _roll_up(child, depth + 1), strict=True)]
    return node.values


def flatten(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def total(nodes: list[Node], width: int) -> list[int]:
    sums = [0] * width
    for node in nodes:
        sums = [a + b for a, b in zip(sums, node.values, strict=True)]
    return sums
