#!/usr/bin/env python3
"""(Re)write the BPMNDI of a BPMN 2.0 file that has a collaboration with pools and lanes.

Usage::

    python tools/bpmn_layout.py diagram.bpmn [other.bpmn ...]      # rewrite in place
    python tools/bpmn_layout.py diagram.bpmn -o laid_out.bpmn       # write elsewhere
    python tools/bpmn_layout.py --stats diagram.bpmn                # print layout metrics only

Only ``bpmndi:BPMNDiagram`` is replaced; every byte of the semantic XML stays as it was (the tool
checks this after writing and refuses to write a file where it would not hold).

What it produces, for every pool (one per participant, stacked top to bottom):

* a shape for the pool and for every lane (horizontal bands in the order of the ``laneSet``,
  nested lanes supported, each band as high as its content and at least as high as its name);
* a shape for every flow node: events 36x36, gateways 50x50, activities 100x80 (wider when the
  name would need more than two lines); boundary events sit on the lower edge of their host;
  collapsed sub-processes get a diagram (plane) of their own for their content;
* an edge for every sequence flow with orthogonal waypoints, and label bounds for every named
  flow, event and gateway that overlap no node shape where a free place exists.

How (a layered "Sugiyama" layout with lanes as bands):

1. **Ranks.** A depth-first search from the start events marks back edges (the loops such as
   退回补正); the longest path over the remaining graph gives every node a column, and nodes
   whose outgoing flows are longer than their incoming ones are pulled right to shorten edges.
2. **Rows.** A node's main successor continues its track, so the main path stays on one line;
   tracks get rows inside their lane (interval colouring), and the order of the rows of every
   lane is chosen among the permutations (exhaustively while small, else by swaps) by a score
   of edge crossings, bends, length, label collisions and size of the whole routed diagram.
3. **Routes.** A flow between neighbours on one row is a straight line; a gateway's branch
   leaves by its top or bottom corner and turns once (L); a flow into a merging gateway enters
   by its top or bottom; other flows turn in the free gap between two columns (Z) or, where
   nodes are in the way, run along the free corridor between two rows. Back edges leave by the
   top (or bottom), run in the corridor above (or below) the rows and come down into their
   target, never through a node. Segments that share a gap or a corridor get their own track
   there, the order of the tracks minimising crossings, and gaps and corridors grow with them.
4. **Sizes.** Each column is as wide as its widest node or label, each gap as wide as its
   tracks and the branch labels it holds need, each row as high as its shapes and labels.
5. **Labels.** Names of events and gateways go below the shape, else above, beside; branch
   labels go next to the first segment after the gateway, else along the flow: the first
   place that covers no shape, label or (preferably) edge wins.
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
ACTIVITIES = {
    "task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "sendTask",
    "receiveTask", "callActivity",
} | SUBPROCESSES
FLOW_NODES = EVENTS | GATEWAYS | ACTIVITIES

POOL_HEADER = 30     # width of the vertical name band of a pool
LANE_HEADER = 30     # width of the vertical name band of a lane
LEFT_PAD = 30        # space between the lane headers and the first column
RIGHT_PAD = 30
GAP_MIN = 56         # horizontal space between two columns
CORRIDOR_MIN = 24    # vertical space between two rows (beyond the shapes' own margins)
TRACK = 10           # distance between parallel segments in a gap or corridor
BORDER_CLEAR = 8     # distance of a corridor track from a lane border
ROW_PAD = 12         # free margin above and below the shapes of a row
POOL_GAP = 60
ORIGIN_X = 160
ORIGIN_Y = 80
LABEL_FONT = 11      # bpmn-js draws external labels in 11px, names inside activities in 12px
LABEL_LINE = 14
LABEL_MAX_W = 116    # widest external label line (ten CJK characters); longer names wrap, balanced
LANE_NAME_PAD = 24
SEARCH_LIMIT = 360   # row orders tried exhaustively up to this many, else local swaps


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def local(el) -> str:
    return etree.QName(el).localname


# --------------------------------------------------------------------------------------------
# text metrics (CJK glyphs are one em wide, Latin ones about 0.6 em)
# --------------------------------------------------------------------------------------------

def char_width(c: str, size: int = LABEL_FONT) -> float:
    return size if ord(c) > 0x2E7F else size * 0.62


def text_width(text: str, size: int = LABEL_FONT) -> float:
    return sum(char_width(c, size) for c in text)


def wrap(text: str, max_w: float, size: int = LABEL_FONT) -> list[str]:
    """Lines as bpmn-js (diagram-js ``Text``) breaks ``text`` in a box ``max_w`` wide.

    It tries the whole line, then cuts it to ``len * max_w / width`` characters (at a space or
    hyphen if it can, else one character shorter) until it is narrower than the box.
    """
    lines: list[str] = []
    rest = text.strip()
    limit = math.floor(max_w + 0.5)
    while rest:
        fit = rest
        while True:
            width = text_width(fit, size)
            if fit in ("", " ") or width < limit or len(fit) < 2:
                break
            length = max(len(fit) * (max_w / width), 1)
            fit = _semantic_shorten(fit, length) or fit[:max(math.floor(length - 1 + 0.5), 1)]
        lines.append(fit)
        rest = rest[len(fit):].strip()
    return lines or [""]


def _semantic_shorten(line: str, max_length: float) -> str:
    parts = re.split(r"(\s|-|\u00AD)", line)
    out: list[str] = []
    length = 0
    if len(parts) > 1:
        for part in parts:
            if not part:
                break
            if len(part) + length < max_length:
                out.append(part)
                length += len(part)
            else:
                if part in ("-", "\u00AD"):
                    out = out[:-1]
                break
    if out and out[-1] == "\u00AD":
        out[-1] = "-"
    return "".join(out)


def label_size(text: str, max_w: float = LABEL_MAX_W) -> tuple[int, int]:
    """Bounds for an external label: bpmn-js keeps a label's width and wraps its name in it,
    so the narrowest width that needs no more lines than the widest one balances the lines."""
    best = None
    for width in range(24, int(max_w) + 1, 2):
        lines = wrap(text, width)
        widest = max(text_width(line) for line in lines)
        if widest >= width:
            continue
        if best is None or len(lines) < best[0]:
            best = (len(lines), width)
    if best is None:
        lines = wrap(text, max_w)
        best = (len(lines), max_w)
    count, width = best
    # a few pixels of slack for fonts a little wider than the estimate, if the lines stay put
    for slack in (6, 4, 2, 0):
        if wrap(text, width + slack) == wrap(text, width):
            width += slack
            break
    return math.ceil(width), math.ceil(count * LABEL_FONT * 1.2) + 1


def size_of(kind: str, name: str) -> tuple[int, int]:
    if kind in EVENTS:
        return 36, 36
    if kind in GATEWAYS:
        return 50, 50
    for width in (100, 120, 140, 160):
        if len(wrap(name, width - 14, 12)) <= 2:
            return width, 80
    return 160, 80


# --------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------

@dataclass
class Node:
    id: str
    kind: str
    name: str
    order: int
    lane: str = ""
    host: str | None = None          # for boundary events
    rank: int = 0
    row: int = 0
    x: float = 0
    y: float = 0
    w: int = 0
    h: int = 0
    label: tuple[float, float, float, float] | None = None
    lw: int = 0
    lh: int = 0
    has_content: bool = False        # a sub-process with flow nodes of its own

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def labelled(self) -> bool:
        return bool(self.name) and (self.kind in EVENTS or self.kind in GATEWAYS)


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str
    route: list = field(default_factory=list)      # symbolic points
    points: list = field(default_factory=list)     # numeric waypoints
    label: tuple[float, float, float, float] | None = None


@dataclass
class Lane:
    id: str
    name: str
    children: list[Lane] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    y: float = 0
    height: float = 0


def read_lanes(lane_set) -> list[Lane]:
    lanes = []
    if lane_set is None:
        return lanes
    for lane_el in lane_set.findall(q(BPMN, "lane")):
        lane = Lane(id=lane_el.get("id"), name=lane_el.get("name") or "")
        lane.refs = [(r.text or "").strip() for r in lane_el.findall(q(BPMN, "flowNodeRef"))]
        lane.children = read_lanes(lane_el.find(q(BPMN, "childLaneSet")))
        lanes.append(lane)
    return lanes


def leaf_lanes(lanes: list[Lane]) -> list[Lane]:
    out = []
    for lane in lanes:
        out.extend(leaf_lanes(lane.children) if lane.children else [lane])
    return out


def all_lanes(lanes: list[Lane], depth: int = 0) -> list[tuple[Lane, int]]:
    """Every lane with its nesting depth (0 for the lanes of the process's own laneSet)."""
    out = []
    for lane in lanes:
        out.append((lane, depth))
        out.extend(all_lanes(lane.children, depth + 1))
    return out


def lane_depth(lanes: list[Lane]) -> int:
    return max((d + 1 for _, d in all_lanes(lanes)), default=0)


# --------------------------------------------------------------------------------------------
# symbolic coordinates
#
# A route is first built on the grid of columns (ranks) and rows, with coordinates such as
# "right side of node n", "track k of the gap after column 3", "centre line of row 2" or
# "track k of the corridor above row 5". Only when every route is known are tracks assigned
# and sizes fixed, and then the symbols become numbers.
#   X: ("L"|"R"|"C", node_id) or ("G", gap, key)        gap g lies between columns g and g+1
#   Y: ("T"|"B", node_id) or ("M", row) or ("K", corridor, key)   corridor c lies above row c
# --------------------------------------------------------------------------------------------

def _segments(points):
    return list(itertools.pairwise(points))


def _rect_hits_segment(rect, a, b, pad: float = 0) -> bool:
    x, y, w, h = rect
    (x1, y1), (x2, y2) = a, b
    lo_x, hi_x = min(x1, x2), max(x1, x2)
    lo_y, hi_y = min(y1, y2), max(y1, y2)
    return lo_x < x + w - pad and hi_x > x + pad and lo_y < y + h - pad and hi_y > y + pad


def _rects_overlap(a, b, pad: float = 0) -> bool:
    return a[0] < b[0] + b[2] - pad and b[0] < a[0] + a[2] - pad and a[1] < b[1] + b[3] - pad \
        and b[1] < a[1] + a[3] - pad


def clean_points(points):
    out = []
    for p in points:
        p = (round(p[0]), round(p[1]))
        if out and out[-1] == p:
            continue
        out.append(p)
    i = 1
    while i < len(out) - 1:
        (ax, ay), (bx, by), (cx, cy) = out[i - 1], out[i], out[i + 1]
        if (ax == bx == cx) or (ay == by == cy):
            out.pop(i)
        else:
            i += 1
    return out


class Layout:
    """Layout of one process (or the content of one sub-process) as a pool with lanes."""

    def __init__(self, container, use_lanes: bool = True):
        self.container = container
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        for i, el in enumerate(container):
            if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN:
                continue
            kind = local(el)
            if kind in FLOW_NODES:
                node = Node(id=el.get("id"), kind=kind, name=el.get("name") or "", order=i)
                node.w, node.h = size_of(kind, node.name)
                if kind == "boundaryEvent":
                    node.host = el.get("attachedToRef")
                if kind in SUBPROCESSES:
                    node.has_content = any(
                        isinstance(c.tag, str) and etree.QName(c).namespace == BPMN and local(c) in FLOW_NODES
                        for c in el)
                if node.labelled:
                    node.lw, node.lh = label_size(node.name)
                self.nodes[node.id] = node
            elif kind == "sequenceFlow":
                self.flows.append(Flow(el.get("id"), el.get("sourceRef"), el.get("targetRef"),
                                       el.get("name") or ""))
        self.flows = [f for f in self.flows if f.source in self.nodes and f.target in self.nodes]
        self.flow_by_id = {f.id: f for f in self.flows}
        self.lanes = read_lanes(container.find(q(BPMN, "laneSet"))) if use_lanes else []
        self.leaves = leaf_lanes(self.lanes) or [Lane(id="", name="")]
        for lane in self.leaves:
            for ref in lane.refs:
                if ref in self.nodes:
                    self.nodes[ref].lane = lane.id
        known = {lane.id for lane in self.leaves}
        for node in self.nodes.values():
            if node.lane not in known or (node.host in self.nodes and node.lane == ""):
                host = self.nodes.get(node.host) if node.host else None
                node.lane = host.lane if host and host.lane in known else self.leaves[0].id
        for node in self.nodes.values():
            if node.host in self.nodes:
                node.lane = self.nodes[node.host].lane
        self.out: dict[str, list[Flow]] = {n: [] for n in self.nodes}
        self.inc: dict[str, list[Flow]] = {n: [] for n in self.nodes}
        for f in self.flows:
            self.out[f.source].append(f)
            self.inc[f.target].append(f)

    # ---- ranking -------------------------------------------------------------------------

    def _rank_source(self, node_id: str) -> str:
        node = self.nodes[node_id]
        return node.host if node.host in self.nodes else node_id

    def compute_ranks(self) -> None:
        succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            succ[self._rank_source(f.source)].append(f.target)
        ordered = sorted(self.nodes.values(), key=lambda n: n.order)
        incoming = {t for targets in succ.values() for t in targets}
        roots = [n.id for n in ordered if n.kind == "startEvent" and not n.host]
        roots += [n.id for n in ordered if n.id not in incoming and n.id not in roots and not n.host]
        roots += [n.id for n in ordered if n.id not in roots and not n.host]
        color: dict[str, int] = {}
        back: set[tuple[str, str]] = set()
        self.discovery: dict[str, int] = {}
        for root in roots:
            if root in color:
                continue
            stack = [(root, iter(succ[root]))]
            color[root] = 1
            self.discovery[root] = len(self.discovery)
            while stack:
                node_id, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    color[node_id] = 2
                    stack.pop()
                    continue
                state = color.get(nxt, 0)
                if state == 1:
                    back.add((node_id, nxt))
                elif state == 0:
                    color[nxt] = 1
                    self.discovery[nxt] = len(self.discovery)
                    stack.append((nxt, iter(succ[nxt])))
        for n in self.nodes:
            self.discovery.setdefault(n, len(self.discovery))
        self.back_pairs = back
        dag = {n: [t for t in ts if (n, t) not in back and t != n] for n, ts in succ.items()}
        self.dag = dag
        preds: dict[str, list[str]] = {n: [] for n in self.nodes}
        for n, ts in dag.items():
            for t in ts:
                preds[t].append(n)
        self.preds = preds
        indeg = {n: len(p) for n, p in preds.items()}
        queue = sorted((n for n, d in indeg.items() if d == 0), key=lambda n: self.discovery[n])
        topo = []
        while queue:
            n = queue.pop(0)
            topo.append(n)
            for t in dag[n]:
                indeg[t] -= 1
                if indeg[t] == 0:
                    queue.append(t)
        self.topo = topo
        rank = {n: 0 for n in self.nodes}
        for n in topo:
            for t in dag[n]:
                rank[t] = max(rank[t], rank[n] + 1)
        # pull nodes right when that shortens more edges than it lengthens
        for _ in range(3):
            changed = False
            for n in reversed(topo):
                if not dag[n]:
                    continue
                limit = min(rank[t] for t in dag[n]) - 1
                if limit > rank[n] and not preds[n]:
                    rank[n] = limit
                    changed = True
            if not changed:
                break
        for n, r in rank.items():
            self.nodes[n].rank = r
        for node in self.nodes.values():
            if node.host in self.nodes:
                node.rank = self.nodes[node.host].rank

    def is_back(self, flow: Flow) -> bool:
        s, t = self.nodes[flow.source], self.nodes[flow.target]
        return t.rank <= s.rank and not (s.host and t.rank > s.rank)

    # ---- rows ----------------------------------------------------------------------------

    def compute_row_groups(self, compact_sinks: bool = False) -> None:
        """Tracks (chains following each node's main successor) and their rows per lane.

        With compact_sinks, a lone end node that would open a row of its own moves up to two
        columns right into a free place of an existing row instead.
        """
        real = [n for n in self.topo if not self.nodes[n].host]
        order = sorted(real, key=lambda n: (self.nodes[n].rank, self.discovery[n]))
        height: dict[str, int] = {}
        for n in reversed(self.topo):
            if self.nodes[n].host:
                continue
            nexts = [t for t in self.dag[n] if not self.nodes[t].host]
            height[n] = 1 + max((height.get(t, 0) for t in nexts), default=0)
        cont: dict[str, str] = {}
        for n in order:
            nexts = [t for t in self.dag[n] if not self.nodes[t].host]
            if nexts:
                lane = self.nodes[n].lane
                cont[n] = max(nexts, key=lambda t: (height[t], self.nodes[t].lane == lane, -nexts.index(t)))
        taken_cont: set[str] = set()
        track: dict[str, int] = {}
        for n in order:
            inherited = [p for p in self.preds[n] if p in track and cont.get(p) == n and p not in taken_cont]
            if inherited:
                p = min(inherited, key=lambda p: track[p])
                taken_cont.add(p)
                track[n] = track[p]
            else:
                track[n] = len(set(track.values()))
        spans: dict[tuple[str, int], list[int]] = {}
        for n in order:
            node = self.nodes[n]
            span = spans.setdefault((node.lane, track[n]), [node.rank, node.rank])
            span[0], span[1] = min(span[0], node.rank), max(span[1], node.rank)
        rows: dict[tuple[str, int], int] = {}
        used: dict[str, list[tuple[int, int, int]]] = {}
        members: dict[tuple[str, int], list[str]] = {}
        for n in order:
            members.setdefault((self.nodes[n].lane, track[n]), []).append(n)
        max_rank = max((n.rank for n in self.nodes.values()), default=0)
        for (lane, tr), (lo, hi) in sorted(spans.items(), key=lambda kv: kv[0][1]):
            taken = {r for (a, b, r) in used.get(lane, []) if a <= hi and lo <= b}
            existing = {r for (_a, _b, r) in used.get(lane, [])}
            row = 0
            while row in taken:
                row += 1
            group = members[(lane, tr)]
            if compact_sinks and row not in existing and existing and len(group) == 1 \
                    and not self.dag[group[0]]:
                for shift in (1, 2):
                    r = lo + shift
                    if r > max_rank:
                        break
                    free = sorted(existing - {x for (a, b, x) in used[lane] if a <= r <= b})
                    if free:
                        self.nodes[group[0]].rank = r
                        lo = hi = r
                        row = free[0]
                        break
            rows[(lane, tr)] = row
            used.setdefault(lane, []).append((lo, hi, row))
        self.lane_rows = {lane.id: 1 for lane in self.leaves}
        self.local_row: dict[str, int] = {}
        for n in order:
            node = self.nodes[n]
            r = rows[(node.lane, track[n])]
            self.local_row[n] = r
            self.lane_rows[node.lane] = max(self.lane_rows[node.lane], r + 1)

    def apply_row_order(self, perms: dict[str, tuple[int, ...]]) -> None:
        offset = 0
        self.row_lane: list[str] = []
        base = {}
        for lane in self.leaves:
            base[lane.id] = offset
            offset += self.lane_rows[lane.id]
            self.row_lane += [lane.id] * self.lane_rows[lane.id]
        self.nrows = offset
        for n, r in self.local_row.items():
            node = self.nodes[n]
            node.row = base[node.lane] + perms[node.lane][r]
        for node in self.nodes.values():
            if node.host in self.nodes:
                node.row = self.nodes[node.host].row

    # ---- routing on the grid -------------------------------------------------------------

    def _xkey(self, x) -> float:
        kind = x[0]
        if kind == "G":
            return 4 * x[1] + 4
        node = self.nodes[x[1]]
        if node.host in self.nodes:
            return 4 * node.rank + 2.5
        return 4 * node.rank + {"L": 1, "C": 2, "R": 3}[kind]

    def _ykey(self, y) -> float:
        kind = y[0]
        if kind == "M":
            return 4 * y[1] + 2
        if kind == "K":
            return 4 * y[1]
        node = self.nodes[y[1]]
        if node.host in self.nodes:
            return 4 * node.row + 3.5 if kind == "B" else 4 * node.row + 3
        return 4 * node.row + (1 if kind == "T" else 3)

    def _free_row(self, row: int, r1: int, r2: int) -> bool:
        return all((r, row) not in self.occ for r in range(r1, r2 + 1))

    def _free_col(self, rank: int, a: int, b: int) -> bool:
        return all((rank, rw) not in self.occ for rw in range(min(a, b), max(a, b) + 1))

    def _port_ok(self, node_id: str, side: str, direction: str) -> bool:
        users = self.ports.get((node_id, side), [])
        if not users:
            return True
        node = self.nodes[node_id]
        if node.kind in GATEWAYS or node.kind in EVENTS:
            # a gateway's or event's corner carries one flow, except merging inputs on the left
            # and splitting outputs on the right
            return (side, direction) in {("L", "in"), ("R", "out")} and all(d == direction for d in users)
        return all(d == direction for d in users)

    def _line_ok(self, route, flow: Flow) -> bool:
        for key, lo, hi, owner in self._fixed_lines(route, flow):
            for lo2, hi2, owner2 in self.lines.get(key, []):
                # segments that meet in a gap would overlap by the distance of their tracks
                if owner2 != owner and lo <= hi2 and lo2 <= hi:
                    return False
        return True

    def _fixed_lines(self, route, flow: Flow):
        """Segments on row centre lines and node centre columns (those cannot take a track)."""
        out = []
        last = len(route) - 2
        for i, ((x1, y1), (x2, y2)) in enumerate(_segments(route)):
            owner = ("s", flow.source) if i == 0 else ("t", flow.target) if i == last else ("f", flow.id)
            if y1 == y2 and y1[0] == "M":
                a, b = sorted((self._xkey(x1), self._xkey(x2)))
                out.append((("row", y1[1]), a, b, owner))
            elif x1 == x2 and x1[0] == "C":
                node = self.nodes[x1[1]]
                col = ("col", node.id) if node.host in self.nodes else ("col", node.rank)
                a, b = sorted((self._ykey(y1), self._ykey(y2)))
                out.append((col, a, b, owner))
        return out

    def _commit(self, flow: Flow, route, ports) -> None:
        flow.route = route
        for key, lo, hi, owner in self._fixed_lines(route, flow):
            self.lines.setdefault(key, []).append((lo, hi, owner))
        for node_id, side, direction in ports:
            self.ports.setdefault((node_id, side), []).append(direction)
        for (_x1, y1), (_x2, y2) in _segments(route):
            if y1 == y2 and y1[0] == "K":
                self.corridor_load[y1[1]] = self.corridor_load.get(y1[1], 0) + 1

    def _key(self, flow: Flow, end: str):
        if end == "s" and len(self.out[flow.source]) > 1:
            return ("s", flow.source)
        if end == "t" and len(self.inc[flow.target]) > 1:
            return ("t", flow.target)
        return ("f", flow.id)

    def _forward_options(self, flow: Flow):
        s, t = self.nodes[flow.source], self.nodes[flow.target]
        a, b, rs, rt = s.rank, t.rank, s.row, t.row
        M, fid = ("M", rt), ("f", flow.id)
        opts = []
        if s.host in self.nodes:
            if rt > rs and self._free_col(a, rs + 1, rt) and self._free_row(rt, a + 1, b - 1):
                opts.append(([(("C", s.id), ("B", s.id)), (("C", s.id), M), (("L", t.id), M)],
                             [(s.id, "B", "out"), (t.id, "L", "in")]))
            k = ("K", rs + 1, fid)
            g = ("G", b - 1, self._key(flow, "t"))
            opts.append(([(("C", s.id), ("B", s.id)), (("C", s.id), k), (g, k), (g, M), (("L", t.id), M)],
                         [(s.id, "B", "out"), (t.id, "L", "in")]))
            return opts
        if rs == rt and self._free_row(rs, a + 1, b - 1):
            opts.append(([(("R", s.id), M), (("L", t.id), M)], [(s.id, "R", "out"), (t.id, "L", "in")]))
        if rs != rt:
            up = rt < rs
            side_s = "T" if up else "B"
            side_t = "B" if up else "T"
            if s.kind in GATEWAYS and self._free_col(a, rs + (-1 if up else 1), rt) \
                    and self._free_row(rt, a + 1, b - 1):
                opts.append(([(("C", s.id), (side_s, s.id)), (("C", s.id), M), (("L", t.id), M)],
                             [(s.id, side_s, "out"), (t.id, "L", "in")]))
            if t.kind in GATEWAYS and len(self.inc[t.id]) > 1 and self._free_row(rs, a + 1, b) \
                    and self._free_col(b, rs, rt + (1 if up else -1)):
                Ms = ("M", rs)
                opts.append(([(("R", s.id), Ms), (("C", t.id), Ms), (("C", t.id), (side_t, t.id))],
                             [(s.id, "R", "out"), (t.id, side_t, "in")]))
            gaps = list(range(a, b))
            if len(self.out[s.id]) <= 1:
                gaps.reverse()
            for g in gaps:
                if self._free_row(rs, a + 1, g) and self._free_row(rt, g + 1, b - 1):
                    key = self._key(flow, "s") if g == a else self._key(flow, "t") if g == b - 1 else fid
                    G = ("G", g, key)
                    opts.append(([(("R", s.id), ("M", rs)), (G, ("M", rs)), (G, M), (("L", t.id), M)],
                                 [(s.id, "R", "out"), (t.id, "L", "in")]))
        # along a corridor between rows: always possible
        corridors = [rs, rs + 1] if rs == rt else list(range(min(rs, rt) + 1, max(rs, rt) + 1))
        corridors.sort(key=lambda c: (self.corridor_load.get(c, 0), abs(2 * c - rs - rt - 1)))
        ga = ("G", a, self._key(flow, "s"))
        gb = ("G", b - 1, self._key(flow, "t"))
        for c in corridors:
            k = ("K", c, fid)
            starts = []
            if s.kind in GATEWAYS and c in (rs, rs + 1):
                side = "T" if c == rs else "B"
                starts.append(([(("C", s.id), (side, s.id)), (("C", s.id), k)], [(s.id, side, "out")]))
            starts.append(([(("R", s.id), ("M", rs)), (ga, ("M", rs)), (ga, k)], [(s.id, "R", "out")]))
            ends = []
            if t.kind in GATEWAYS and c in (rt, rt + 1):
                side = "T" if c == rt else "B"
                ends.append(([(("C", t.id), k), (("C", t.id), (side, t.id))], [(t.id, side, "in")]))
            ends.append(([(gb, k), (gb, M), (("L", t.id), M)], [(t.id, "L", "in")]))
            for (start, ports_s), (end, ports_t) in itertools.product(starts, ends):
                opts.append(([*start, *end], ports_s + ports_t))
        return opts

    def _back_options(self, flow: Flow):
        s, t = self.nodes[flow.source], self.nodes[flow.target]
        rs, rt = s.row, t.row
        fid = ("f", flow.id)
        if rt < rs:
            combos = [("T", "B"), ("T", "T"), ("B", "B"), ("B", "T")]
        elif rt > rs:
            combos = [("B", "T"), ("B", "B"), ("T", "T"), ("T", "B")]
        else:
            combos = [("T", "T"), ("B", "B"), ("T", "B"), ("B", "T")]
        if s.host in self.nodes:
            combos = [c for c in combos if c[0] == "B"]
        opts = []
        for side_s, side_t in combos:
            cs = rs if side_s == "T" else rs + 1
            ct = rt if side_t == "T" else rt + 1
            ks = ("K", cs, fid)
            ports = [(s.id, side_s, "out"), (t.id, side_t, "in")]
            if cs == ct:
                route = [(("C", s.id), (side_s, s.id)), (("C", s.id), ks), (("C", t.id), ks),
                         (("C", t.id), (side_t, t.id))]
            else:
                kt = ("K", ct, ("t", t.id) if len(self.inc[t.id]) > 1 else fid)
                g = ("G", t.rank, fid)
                route = [(("C", s.id), (side_s, s.id)), (("C", s.id), ks), (g, ks), (g, kt), (("C", t.id), kt),
                         (("C", t.id), (side_t, t.id))]
            opts.append((route, ports))
        return opts

    def route_all(self) -> None:
        self.occ = {(n.rank, n.row): n.id for n in self.nodes.values() if not n.host}
        self.ports: dict[tuple[str, str], list[str]] = {}
        self.lines: dict = {}
        self.corridor_load: dict[int, int] = {}

        def order(f: Flow):
            s, t = self.nodes[f.source], self.nodes[f.target]
            return (self.is_back(f), s.row != t.row, abs(t.rank - s.rank), self.discovery[s.id])

        for flow in sorted(self.flows, key=order):
            opts = self._back_options(flow) if self.is_back(flow) else self._forward_options(flow)
            chosen = None
            for route, ports in opts:
                if all(self._port_ok(n, side, d) for n, side, d in ports) and self._line_ok(route, flow):
                    chosen = (route, ports)
                    break
            if chosen is None:
                chosen = next(((r, p) for r, p in opts if self._line_ok(r, flow)), opts[-1])
            self._commit(flow, *chosen)

    # ---- tracks in gaps and corridors ----------------------------------------------------

    def assign_tracks(self) -> None:
        channels: dict[tuple, dict] = {}
        for flow in self.flows:
            pts = flow.route
            for i, ((x1, y1), (x2, y2)) in enumerate(_segments(pts)):
                if x1 == x2 and x1[0] == "G":
                    chan, key = ("G", x1[1]), x1[2]
                    lo, hi = sorted((self._ykey(y1), self._ykey(y2)))
                    here = self._xkey(x1)
                    att = []
                    if i > 0:
                        att.append((self._ykey(y1), self._xkey(pts[i - 1][0]) < here))
                    if i + 2 < len(pts):
                        att.append((self._ykey(y2), self._xkey(pts[i + 2][0]) < here))
                elif y1 == y2 and y1[0] == "K":
                    chan, key = ("K", y1[1]), y1[2]
                    lo, hi = sorted((self._xkey(x1), self._xkey(x2)))
                    here = self._ykey(y1)
                    att = []
                    if i > 0:
                        att.append((self._xkey(x1), self._ykey(pts[i - 1][1]) < here))
                    if i + 2 < len(pts):
                        att.append((self._xkey(x2), self._ykey(pts[i + 2][1]) < here))
                else:
                    continue
                group = channels.setdefault(chan, {}).setdefault(key, {"lo": lo, "hi": hi, "att": []})
                group["lo"], group["hi"] = min(group["lo"], lo), max(group["hi"], hi)
                group["att"] += att
        self.tracks: dict[tuple, dict] = {}    # channel -> key -> (index, count)
        self.track_count: dict[tuple, int] = {}
        for chan, groups in channels.items():
            keys = sorted(groups, key=lambda k: (groups[k]["lo"], groups[k]["hi"], str(k)))
            colour: dict = {}
            ends: list[float] = []
            for k in keys:
                g = groups[k]
                for i, end in enumerate(ends):
                    if end <= g["lo"]:
                        colour[k] = i
                        ends[i] = g["hi"]
                        break
                else:
                    colour[k] = len(ends)
                    ends.append(g["hi"])
            n = len(ends)
            best = list(range(n))
            if n > 1:
                def cost(perm, groups=groups, colour=colour):
                    pos = {k: perm[c] for k, c in colour.items()}
                    total = 0
                    for ka, ga in groups.items():
                        for kb, gb in groups.items():
                            if ka == kb or pos[ka] == pos[kb]:
                                continue
                            for at, from_low in gb["att"]:
                                if ga["lo"] < at < ga["hi"] and (pos[ka] < pos[kb]) == from_low:
                                    total += 1
                    return total
                perms = itertools.permutations(range(n)) if n <= 6 else [tuple(range(n)), tuple(reversed(range(n)))]
                best = list(min(perms, key=cost))
            self.tracks[chan] = {k: best[c] for k, c in colour.items()}
            self.track_count[chan] = n

    # ---- geometry ------------------------------------------------------------------------

    def measure(self, pool_x: float, pool_y: float) -> None:
        max_rank = max((n.rank for n in self.nodes.values()), default=0)
        self.max_rank = max_rank
        cw = [36.0] * (max_rank + 1)
        for n in self.nodes.values():
            if n.host:
                continue
            cw[n.rank] = max(cw[n.rank], n.w, min(n.lw, LABEL_MAX_W) if n.labelled else 0)
        gw = {g: float(GAP_MIN) for g in range(-1, max_rank + 1)}
        gw[-1] = LEFT_PAD
        gw[max_rank] = RIGHT_PAD
        for (kind, idx), n in self.track_count.items():
            if kind == "G":
                gw[idx] = max(gw[idx], (n + 1) * TRACK + (20 if idx not in (-1, max_rank) else 0))
        for flow in self.flows:
            s, t = self.nodes[flow.source], self.nodes[flow.target]
            if flow.name and len(flow.route) == 2 and flow.route[0][0][0] == "R" and t.rank == s.rank + 1:
                lw, _ = label_size(flow.name)
                gw[s.rank] = max(gw[s.rank], lw + 16)
        self.cw, self.gw = cw, gw
        headers = POOL_HEADER + LANE_HEADER * lane_depth(self.lanes)
        self.pool_x, self.pool_y = pool_x, pool_y
        self.content_x = pool_x + headers
        x = self.content_x
        self.gap_x: dict[int, float] = {-1: x}
        self.col_x: list[float] = []
        x += gw[-1]
        for r in range(max_rank + 1):
            self.col_x.append(x)
            x += cw[r]
            self.gap_x[r] = x
            x += gw[r]
        self.width = x - pool_x
        # rows: extent above and below the centre line
        nrows = self.nrows
        above = [18.0 + ROW_PAD] * nrows
        below = [18.0 + ROW_PAD] * nrows
        for n in self.nodes.values():
            if n.host in self.nodes:
                host = self.nodes[n.host]
                extra = host.h / 2 + n.h / 2 + (n.lh + 4 if n.labelled else 0)
                below[n.row] = max(below[n.row], extra + ROW_PAD)
                continue
            above[n.row] = max(above[n.row], n.h / 2 + ROW_PAD)
            extra = n.h / 2 + (n.lh + 4 if n.labelled else 0)
            below[n.row] = max(below[n.row], extra + ROW_PAD)
        ch = [float(CORRIDOR_MIN)] * (nrows + 1)
        for (kind, idx), n in self.track_count.items():
            if kind == "K":
                ch[idx] = max(ch[idx], (n + 1) * TRACK + (2 * BORDER_CLEAR if self._is_border(idx) else 0))
        # lanes at least as high as their names
        first_row: dict[str, int] = {}
        last_row: dict[str, int] = {}
        for r, lane_id in enumerate(self.row_lane):
            first_row.setdefault(lane_id, r)
            last_row[lane_id] = r
        names = {lane.id: lane.name for lane in self.leaves}
        for lane_id, r0 in first_row.items():
            r1 = last_row[lane_id]
            span = ch[r0] / 2 + sum(above[r] + below[r] for r in range(r0, r1 + 1)) \
                + sum(ch[r] for r in range(r0 + 1, r1 + 1)) + ch[r1 + 1] / 2
            need = text_width(names.get(lane_id, ""), 12) + LANE_NAME_PAD
            if span < need:
                extra = (need - span) / (2 * (r1 - r0 + 1))
                for r in range(r0, r1 + 1):
                    above[r] += extra
                    below[r] += extra
        y = pool_y
        self.corr_y: list[float] = []
        self.row_cy: list[float] = []
        for r in range(nrows):
            self.corr_y.append(y)
            y += ch[r] + above[r]
            self.row_cy.append(y)
            y += below[r]
        self.corr_y.append(y)
        y += ch[nrows]
        self.ch = ch
        self.height = y - pool_y
        # lane bands: borders in the middle of the corridors between lanes
        border = {}
        for lane_id, r0 in first_row.items():
            top = pool_y if r0 == 0 else self.corr_y[r0] + ch[r0] / 2
            bottom = pool_y + self.height if last_row[lane_id] == nrows - 1 else \
                self.corr_y[last_row[lane_id] + 1] + ch[last_row[lane_id] + 1] / 2
            border[lane_id] = (top, bottom)

        def band(lanes: list[Lane]) -> tuple[float, float]:
            lo, hi = math.inf, -math.inf
            for lane in lanes:
                if lane.children:
                    lane.y, end = band(lane.children)
                else:
                    lane.y, end = border[lane.id]
                lane.height = end - lane.y
                lo, hi = min(lo, lane.y), max(hi, end)
            return lo, hi

        band(self.lanes)
        for n in self.nodes.values():
            if n.host in self.nodes:
                continue
            n.x = round(self.col_x[n.rank] + (cw[n.rank] - n.w) / 2)
            n.y = round(self.row_cy[n.row] - n.h / 2)
        by_host: dict[str, list[Node]] = {}
        for n in sorted(self.nodes.values(), key=lambda n: n.order):
            if n.host in self.nodes:
                by_host.setdefault(n.host, []).append(n)
        for host_id, events in by_host.items():
            host = self.nodes[host_id]
            for i, ev in enumerate(events):
                ev.x = round(host.x + host.w - 20 - ev.w - i * (ev.w + 6))
                ev.y = round(host.y + host.h - ev.h / 2)

    def _x(self, x) -> float:
        if x[0] == "G":
            g = x[1]
            n = self.track_count.get(("G", g), 1)
            i = self.tracks.get(("G", g), {}).get(x[2], 0)
            return self.gap_x[g] + self.gw[g] / 2 + (i - (n - 1) / 2) * TRACK
        node = self.nodes[x[1]]
        return {"L": node.x, "C": node.cx, "R": node.x + node.w}[x[0]]

    def _y(self, y) -> float:
        if y[0] == "M":
            return self.row_cy[y[1]]
        if y[0] == "K":
            c = y[1]
            n = self.track_count.get(("K", c), 1)
            i = self.tracks.get(("K", c), {}).get(y[2], 0)
            off = (i - (n - 1) / 2) * TRACK
            if self._is_border(c):
                # keep edges off the lane border line itself
                off = off - BORDER_CLEAR if off < 0 or (off == 0 and i < n / 2 and n > 1) else off + BORDER_CLEAR
            return self.corr_y[c] + self.ch[c] / 2 + off
        node = self.nodes[y[1]]
        return node.y if y[0] == "T" else node.y + node.h

    def _is_border(self, c: int) -> bool:
        return 0 < c < self.nrows and self.row_lane[c - 1] != self.row_lane[c]

    def resolve(self) -> None:
        for flow in self.flows:
            flow.points = clean_points([(self._x(x), self._y(y)) for x, y in flow.route])

    # ---- labels --------------------------------------------------------------------------

    def place_labels(self) -> None:
        shapes = {n.id: (n.x, n.y, n.w, n.h) for n in self.nodes.values()}
        segs = [(f.id, a, b) for f in self.flows for a, b in _segments(f.points)]
        placed: list[tuple[float, float, float, float]] = []
        lanes = [(lane.y, lane.y + lane.height) for lane in leaf_lanes(self.lanes)]
        pool = (self.content_x, self.pool_y, self.pool_x + self.width - self.content_x, self.height)

        def cost(rect, own: str | None, flow_id: str | None = None) -> float:
            total = 0.0
            for nid, box in shapes.items():
                if nid != own and _rects_overlap(rect, box, -2):
                    total += 1000
            for other in placed:
                if _rects_overlap(rect, other, -2):
                    total += 300
            if not (pool[0] <= rect[0] and rect[0] + rect[2] <= pool[0] + pool[2]
                    and pool[1] <= rect[1] and rect[1] + rect[3] <= pool[1] + pool[3]):
                total += 100
            for top, bottom in lanes:
                if top < rect[1] + 2 < bottom < rect[1] + rect[3] - 2:
                    total += 20              # across a lane border
            for fid, a, b in segs:
                if _rect_hits_segment(rect, a, b, 1):
                    total += 6 if fid == flow_id else 40
            return total

        def choose(cands, own, flow_id=None, anchor=None):
            """cands: (rect, penalty) in order of preference; falls back to a search around anchor."""
            best = None
            for rect, penalty in cands:
                c = cost(rect, own, flow_id) + penalty
                if best is None or c < best[0]:
                    best = (c, rect)
            if best[0] >= 100 and anchor is not None:
                ax, ay = anchor
                w, h = best[1][2], best[1][3]
                for radius in range(8, 400, 8):
                    ring = []
                    for dx in range(-radius, radius + 1, 8):
                        for dy in (-radius, radius):
                            ring.append((ax + dx - w / 2, ay + dy - h / 2, w, h))
                    for dy in range(-radius + 8, radius, 8):
                        for dx in (-radius, radius):
                            ring.append((ax + dx - w / 2, ay + dy - h / 2, w, h))
                    for rect in ring:
                        c = cost(rect, own, flow_id) + radius * 0.3
                        if c < best[0]:
                            best = (c, rect)
                    if best[0] < 100:
                        break
            return best[1]

        for n in sorted(self.nodes.values(), key=lambda n: n.order):
            if not n.labelled:
                continue
            w, h = n.lw, n.lh
            cands = [
                (n.cx - w / 2, n.y + n.h + 4, w, h),      # below (the bpmn.io default)
                (n.cx - w / 2, n.y - 4 - h, w, h),        # above
                (n.cx + 6, n.y + n.h + 2, w, h),          # below, right of a flow leaving downwards
                (n.cx - 6 - w, n.y + n.h + 2, w, h),      # below, left of it
                (n.cx + 6, n.y - 2 - h, w, h),            # above, right of a flow leaving upwards
                (n.cx - 6 - w, n.y - 2 - h, w, h),        # above, left of it
                (n.x + n.w + 4, n.y + n.h, w, h),
                (n.x - 4 - w, n.y + n.h, w, h),
                (n.x + n.w + 4, n.y - h, w, h),
                (n.x - 4 - w, n.y - h, w, h),
            ]
            n.label = choose([(rect, i * 2) for i, rect in enumerate(cands)], n.id, anchor=(n.cx, n.cy))
            placed.append(n.label)
        for flow in self.flows:
            if not flow.name:
                continue
            w, h = label_size(flow.name)
            pts = flow.points
            cands = []
            walked = 0.0
            for i, ((x1, y1), (x2, y2)) in enumerate(_segments(pts)):
                # keep clear of the default-flow slash bpmn-js draws next to the source
                skip = 22 if i == 0 else 6
                length = abs(x2 - x1) + abs(y2 - y1)
                if y1 == y2:
                    lo, hi = min(x1, x2), max(x1, x2)
                    if hi - lo >= 8:
                        sign = 1 if x2 > x1 else -1
                        for d in (skip, length / 2 - w / 2, length - 6 - w):
                            if d < 0:
                                continue
                            lx = x1 + d if sign > 0 else x1 - d - w
                            pen = (walked + d) * 0.15
                            cands.append(((lx, y1 - 4 - h, w, h), pen))
                            cands.append(((lx, y1 + 4, w, h), pen + 1))
                else:
                    lo, hi = min(y1, y2), max(y1, y2)
                    if hi - lo >= 8:
                        sign = 1 if y2 > y1 else -1
                        for d in (skip, length / 2 - h / 2, length - 4 - h):
                            if d < 0:
                                continue
                            ly = y1 + d if sign > 0 else y1 - d - h
                            pen = (walked + d) * 0.15
                            cands.append(((x1 + 7, ly, w, h), pen))
                            cands.append(((x1 - 7 - w, ly, w, h), pen + 1))
                walked += length
            if not cands:
                cands = [((pts[0][0] + 4, pts[0][1] - 4 - h, w, h), 0)]
            flow.label = choose(cands, None, flow.id, anchor=pts[0])
            placed.append(flow.label)

    # ---- quality -------------------------------------------------------------------------

    def score(self) -> tuple[float, dict]:
        horizontal, vertical = [], []
        length = 0.0
        for f in self.flows:
            for (x1, y1), (x2, y2) in _segments(f.points):
                length += abs(x1 - x2) + abs(y1 - y2)
                if y1 == y2:
                    horizontal.append((f.id, min(x1, x2), max(x1, x2), y1))
                else:
                    vertical.append((f.id, min(y1, y2), max(y1, y2), x1))
        crossings = 0
        for fa, lo_x, hi_x, y in horizontal:
            for fb, lo_y, hi_y, x in vertical:
                if lo_x < x < hi_x and lo_y < y < hi_y and fa != fb:
                    crossings += 1
        bends = sum(max(0, len(f.points) - 2) for f in self.flows)
        shapes = [(n.x, n.y, n.w, n.h) for n in self.nodes.values()]
        labels = [n.label for n in self.nodes.values() if n.label] + [f.label for f in self.flows if f.label]
        label_hits = sum(1 for lab in labels for box in shapes if _rects_overlap(lab, box))
        label_hits += sum(1 for a, b in itertools.combinations(labels, 2) if _rects_overlap(a, b))
        through = 0
        boxes = [(n, n.x + 1, n.y + 1, n.x + n.w - 1, n.y + n.h - 1) for n in self.nodes.values()]
        for fid, lo_x, hi_x, y in horizontal:
            f = self.flow_by_id[fid]
            for n, left, top, right, bottom in boxes:
                if top < y < bottom and lo_x < right and hi_x > left and n.id not in (f.source, f.target) \
                        and n.host not in (f.source, f.target):
                    through += 1
        for fid, lo_y, hi_y, x in vertical:
            f = self.flow_by_id[fid]
            for n, left, top, right, bottom in boxes:
                if left < x < right and lo_y < bottom and hi_y > top and n.id not in (f.source, f.target) \
                        and n.host not in (f.source, f.target):
                    through += 1
        metrics = {"crossings": crossings, "bends": bends, "length": round(length),
                   "label_collisions": label_hits, "through_nodes": through,
                   "width": round(self.width), "height": round(self.height)}
        value = (crossings * 40 + bends * 6 + length / 40 + label_hits * 200 + through * 500
                 + self.height / 10 + self.width / 40)
        return value, metrics

    def run(self, perms, pool_x: float, pool_y: float, labels: bool = False) -> tuple[float, dict]:
        """Lay out with the given row orders; labels are placed only for the final drawing."""
        self.apply_row_order(perms)
        self.route_all()
        self.assign_tracks()
        self.measure(pool_x, pool_y)
        self.resolve()
        for n in self.nodes.values():
            n.label = None
        for f in self.flows:
            f.label = None
        if labels:
            self.place_labels()
        return self.score()

    def layout(self, pool_x: float, pool_y: float) -> dict:
        self.compute_ranks()
        ranks = {n.id: n.rank for n in self.nodes.values()}
        best = None
        for compact in (False, True):
            for n in self.nodes.values():
                n.rank = ranks[n.id]
            self.compute_row_groups(compact)
            value, perms = self._best_row_order(pool_x, pool_y)
            if best is None or value < best[0] - 1e-6:
                best = (value, compact, perms)
        _, compact, perms = best
        for n in self.nodes.values():
            n.rank = ranks[n.id]
        self.compute_row_groups(compact)
        _, metrics = self.run(perms, pool_x, pool_y, labels=True)
        return metrics

    def _best_row_order(self, pool_x: float, pool_y: float):
        lanes = [lane.id for lane in self.leaves]
        choices = {lane: list(itertools.permutations(range(self.lane_rows[lane]))) for lane in lanes}
        total = math.prod(len(c) for c in choices.values())
        identity = {lane: tuple(range(self.lane_rows[lane])) for lane in lanes}
        best_value, _ = self.run(identity, pool_x, pool_y)
        best = identity
        if total <= SEARCH_LIMIT:
            for combo in itertools.product(*(choices[lane] for lane in lanes)):
                perms = dict(zip(lanes, combo, strict=True))
                value, _ = self.run(perms, pool_x, pool_y)
                if value < best_value - 1e-6:
                    best_value, best = value, perms
        else:
            improved = True
            while improved:
                improved = False
                for lane in lanes:
                    for i in range(self.lane_rows[lane] - 1):
                        perm = list(best[lane])
                        perm[i], perm[i + 1] = perm[i + 1], perm[i]
                        cand = {**best, lane: tuple(perm)}
                        value, _ = self.run(cand, pool_x, pool_y)
                        if value < best_value - 1e-6:
                            best_value, best, improved = value, cand, True
        return best_value, best


# --------------------------------------------------------------------------------------------
# writing the DI
# --------------------------------------------------------------------------------------------

def add_bounds(parent, x, y, w, h):
    b = etree.SubElement(parent, q(DC, "Bounds"))
    b.set("x", str(round(x)))
    b.set("y", str(round(y)))
    b.set("width", str(round(w)))
    b.set("height", str(round(h)))
    return b


def _write_layout(plane, lay: Layout, part_id: str | None) -> None:
    if part_id:
        shape = etree.SubElement(plane, q(BPMNDI, "BPMNShape"))
        shape.set("id", f"{part_id}_di")
        shape.set("bpmnElement", part_id)
        shape.set("isHorizontal", "true")
        add_bounds(shape, lay.pool_x, lay.pool_y, lay.width, lay.height)
    lane_x = lay.pool_x + POOL_HEADER
    for lane, depth in all_lanes(lay.lanes):
        shape = etree.SubElement(plane, q(BPMNDI, "BPMNShape"))
        shape.set("id", f"{lane.id}_di")
        shape.set("bpmnElement", lane.id)
        shape.set("isHorizontal", "true")
        indent = depth * LANE_HEADER
        add_bounds(shape, lane_x + indent, lane.y, lay.width - POOL_HEADER - indent, lane.height)
    ordered = sorted(lay.nodes.values(), key=lambda n: (n.host is not None, n.order))
    for node in ordered:
        shape = etree.SubElement(plane, q(BPMNDI, "BPMNShape"))
        shape.set("id", f"{node.id}_di")
        shape.set("bpmnElement", node.id)
        if node.kind == "exclusiveGateway":
            shape.set("isMarkerVisible", "true")
        if node.kind in SUBPROCESSES:
            shape.set("isExpanded", "false")
        add_bounds(shape, node.x, node.y, node.w, node.h)
        if node.label:
            label = etree.SubElement(shape, q(BPMNDI, "BPMNLabel"))
            add_bounds(label, *node.label)
    for flow in lay.flows:
        edge = etree.SubElement(plane, q(BPMNDI, "BPMNEdge"))
        edge.set("id", f"{flow.id}_di")
        edge.set("bpmnElement", flow.id)
        for px, py in flow.points:
            wp = etree.SubElement(edge, q(DI, "waypoint"))
            wp.set("x", str(round(px)))
            wp.set("y", str(round(py)))
        if flow.label:
            label = etree.SubElement(edge, q(BPMNDI, "BPMNLabel"))
            add_bounds(label, *flow.label)


def _new_diagram(root, element_id: str):
    diagram = etree.SubElement(root, q(BPMNDI, "BPMNDiagram"))
    diagram.set("id", f"BPMNDiagram_{element_id}")
    plane = etree.SubElement(diagram, q(BPMNDI, "BPMNPlane"))
    plane.set("id", f"BPMNPlane_{element_id}")
    plane.set("bpmnElement", element_id)
    return diagram, plane


def layout_tree(tree) -> list[dict]:
    """Replace the BPMNDI of a parsed BPMN document; returns layout metrics per pool/plane."""
    root = tree.getroot()
    for old in root.findall(q(BPMNDI, "BPMNDiagram")):
        root.remove(old)
    collab = root.find(q(BPMN, "collaboration"))
    processes = {p.get("id"): p for p in root.findall(q(BPMN, "process"))}
    if collab is not None:
        participants = [(p.get("id"), processes.get(p.get("processRef")))
                        for p in collab.findall(q(BPMN, "participant"))]
        plane_ref = collab.get("id")
    else:
        participants = [(None, p) for p in processes.values()]
        plane_ref = next(iter(processes), "")
    diagrams = []
    diagram, plane = _new_diagram(root, plane_ref)
    diagrams.append(diagram)
    stats = []
    y = ORIGIN_Y
    pending = []
    for part_id, process in participants:
        if process is None:
            continue
        lay = Layout(process)
        metrics = lay.layout(ORIGIN_X, y)
        stats.append({"element": part_id or process.get("id"), **metrics})
        _write_layout(plane, lay, part_id)
        pending += [n.id for n in lay.nodes.values() if n.has_content]
        y += lay.height + POOL_GAP
    # the content of collapsed sub-processes: one plane each (bpmn-js shows it on drill-down)
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    while pending:
        sub_id = pending.pop(0)
        sub = by_id.get(sub_id)
        if sub is None:
            continue
        lay = Layout(sub, use_lanes=False)
        metrics = lay.layout(ORIGIN_X - POOL_HEADER - LANE_HEADER, ORIGIN_Y)
        stats.append({"element": sub_id, **metrics})
        diagram, sub_plane = _new_diagram(root, sub_id)
        diagrams.append(diagram)
        _write_layout(sub_plane, lay, None)
        pending += [n.id for n in lay.nodes.values() if n.has_content]
    for diagram in diagrams:
        etree.indent(diagram, space="  ", level=1)
        diagram.tail = "\n"
    for diagram in diagrams[:-1]:
        diagram.tail = "\n  "
    prev = diagrams[0].getprevious()
    if prev is not None and (prev.tail is None or not prev.tail.strip()):
        prev.tail = "\n  "
    return stats


_DI_BLOCK = re.compile(rb"\s*<(?:\w+:)?BPMNDiagram\b.*?</(?:\w+:)?BPMNDiagram>", re.S)


def semantic_bytes(data: bytes) -> bytes:
    """The document without its BPMNDiagram elements (what the layout must never change)."""
    return _DI_BLOCK.sub(b"", data)


def layout_file(src: Path, dst: Path | None = None, write: bool = True) -> list[dict]:
    original = Path(src).read_bytes()
    parser = etree.XMLParser(remove_blank_text=False)
    tree = etree.parse(str(src), parser)
    root = tree.getroot()
    nsmap = dict(root.nsmap)
    missing = {"bpmndi": BPMNDI, "dc": DC, "di": DI}
    declared = False
    if any(ns not in nsmap.values() for ns in missing.values()):
        # re-create the root with the DI namespaces declared, keeping every child untouched
        for prefix, ns in missing.items():
            if ns not in nsmap.values():
                nsmap[prefix] = ns
        new_root = etree.Element(root.tag, nsmap=nsmap, attrib=dict(root.attrib))
        new_root.text = root.text
        for child in list(root):
            new_root.append(child)
        tree._setroot(new_root)
        declared = True
    stats = layout_tree(tree)
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    if not declared and semantic_bytes(data) != semantic_bytes(original):
        raise SystemExit(f"{src}: the semantic XML would change when rewritten; not writing it")
    if write:
        Path(dst or src).write_bytes(data)
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path, help="BPMN files to lay out")
    ap.add_argument("-o", "--output", type=Path, help="output file (only with a single input)")
    ap.add_argument("--stats", action="store_true", help="print layout metrics, write nothing")
    args = ap.parse_args(argv)
    if args.output and len(args.files) != 1:
        ap.error("--output needs exactly one input file")
    for f in args.files:
        stats = layout_file(f, args.output, write=not args.stats)
        for s in stats:
            print(f"{f}: {s}" if args.stats else f"laid out {args.output or f}: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
