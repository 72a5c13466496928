#!/usr/bin/env python3
"""(Re)write the BPMNDI of a BPMN 2.0 file that has a collaboration with pools and lanes.

Usage::

    python tools/bpmn_layout.py diagram.bpmn [other.bpmn ...]      # rewrite in place
    python tools/bpmn_layout.py diagram.bpmn -o laid_out.bpmn       # write elsewhere

What it produces (the semantic XML is left untouched, only ``bpmndi:BPMNDiagram`` is replaced):

* one shape per participant (pool) and per lane (horizontal bands, nested lanes supported);
* one shape per flow node: tasks/activities 100x80, events 36x36, gateways 50x50; boundary events
  sit on the lower edge of their host;
* one edge per sequence flow, with orthogonal waypoints; a label for every named flow and below
  every named event or gateway;
* nodes are ranked left to right by the longest path from the start (back edges of loops are
  ignored for ranking); nodes of the same rank in the same lane are stacked in rows, so node
  shapes never overlap.

Vertical flow segments run in the gaps between columns and horizontal detours in the gaps
between rows, so edges do not cross node shapes where that can be avoided.
"""

from __future__ import annotations

import argparse
import itertools
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
ACTIVITIES = {
    "task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
}
FLOW_NODES = EVENTS | GATEWAYS | ACTIVITIES

COL = 190          # width of one rank column
ROW = 130          # height of one row slot inside a lane
POOL_HEADER = 30
LANE_HEADER = 30
MARGIN = 20        # space between the lane header and the first column
POOL_GAP = 60
ORIGIN_X = 160
ORIGIN_Y = 80
CHANNEL = 10       # distance of a horizontal detour from the border of the pool


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def local(el) -> str:
    return etree.QName(el).localname


def size_of(kind: str) -> tuple[int, int]:
    if kind in EVENTS:
        return 36, 36
    if kind in GATEWAYS:
        return 50, 50
    return 100, 80


def text_width(text: str) -> int:
    return sum(12 if ord(c) > 0x2E7F else 7 for c in text) + 4


@dataclass
class Node:
    id: str
    kind: str
    name: str
    order: int
    lane: str | None = None
    host: str | None = None          # for boundary events
    rank: int = 0
    row: int = 0
    x: float = 0
    y: float = 0
    w: int = 0
    h: int = 0
    slot_top: float = 0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str


@dataclass
class Lane:
    id: str
    name: str
    children: list[Lane] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    rows: int = 1
    y: float = 0
    height: float = 0


# --------------------------------------------------------------------------------------------
# reading the semantic model
# --------------------------------------------------------------------------------------------

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


class ProcessLayout:
    def __init__(self, process):
        self.process = process
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        for i, el in enumerate(process):
            if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN:
                continue
            kind = local(el)
            if kind in FLOW_NODES:
                node = Node(id=el.get("id"), kind=kind, name=el.get("name") or "", order=i)
                node.w, node.h = size_of(kind)
                if kind == "boundaryEvent":
                    node.host = el.get("attachedToRef")
                self.nodes[node.id] = node
            elif kind == "sequenceFlow":
                self.flows.append(Flow(el.get("id"), el.get("sourceRef"), el.get("targetRef"),
                                       el.get("name") or ""))
        self.lanes = read_lanes(process.find(q(BPMN, "laneSet")))
        self.leaves = leaf_lanes(self.lanes) or [Lane(id="", name="")]
        for lane in self.leaves:
            for ref in lane.refs:
                if ref in self.nodes:
                    self.nodes[ref].lane = lane.id
        default_lane = self.leaves[0].id
        for node in self.nodes.values():
            if node.lane is None:
                host = self.nodes.get(node.host) if node.host else None
                node.lane = host.lane if host and host.lane else default_lane

    # ---- ranking -------------------------------------------------------------------------

    def _rank_source(self, node_id: str) -> str:
        node = self.nodes[node_id]
        return node.host if node.host in self.nodes else node_id

    def compute_ranks(self) -> None:
        succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            if f.source in self.nodes and f.target in self.nodes:
                succ[self._rank_source(f.source)].append(f.target)
        for n in self.nodes.values():
            if n.host in self.nodes:
                succ[n.host].append(n.id)
        ordered = sorted(self.nodes.values(), key=lambda n: n.order)
        incoming = {t for targets in succ.values() for t in targets}
        roots = [n.id for n in ordered if n.kind == "startEvent"]
        roots += [n.id for n in ordered if n.id not in incoming and n.id not in roots and not n.host]
        roots += [n.id for n in ordered if n.id not in roots]
        # depth-first search marks back edges (edges to a node on the current path)
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
        self.back_edges = back
        # longest path over the remaining DAG (Kahn's algorithm)
        dag = {n: [t for t in ts if (n, t) not in back] for n, ts in succ.items()}
        self.dag = dag
        indeg = {n: 0 for n in self.nodes}
        for ts in dag.values():
            for t in ts:
                indeg[t] += 1
        queue = sorted((n for n, d in indeg.items() if d == 0), key=lambda n: self.discovery[n])
        rank = {n: 0 for n in self.nodes}
        self.preds: dict[str, list[str]] = {n: [] for n in self.nodes}
        while queue:
            n = queue.pop(0)
            for t in dag[n]:
                step = 0 if self.nodes[t].host == n else 1
                rank[t] = max(rank[t], rank[n] + step)
                self.preds[t].append(n)
                indeg[t] -= 1
                if indeg[t] == 0:
                    queue.append(t)
        for n, r in rank.items():
            self.nodes[n].rank = r

    # ---- rows ----------------------------------------------------------------------------

    def assign_rows(self) -> None:
        """Give every node a row inside its lane.

        Nodes are grouped into tracks: a track follows, from each node, the successor with the
        longest remaining path, so the main path of a process stays on one row and every side
        branch gets a track of its own.  Within a lane, tracks whose rank spans overlap get
        different rows (interval colouring, main tracks first).
        """
        real = {n for n, node in self.nodes.items() if not node.host}
        order = sorted(real, key=lambda n: (self.nodes[n].rank, self.discovery.get(n, 0)))
        height: dict[str, int] = {}
        for n in reversed(order):
            nexts = [t for t in self.dag[n] if t in real]
            height[n] = 1 + max((height.get(t, 0) for t in nexts), default=0)
        cont: dict[str, str] = {}
        for n in order:
            nexts = [t for t in self.dag[n] if t in real]
            if nexts:
                cont[n] = max(nexts, key=lambda t: (height[t], -nexts.index(t)))
        track: dict[str, int] = {}
        for n in order:
            inherited = [track[p] for p in self.preds[n] if p in track and cont.get(p) == n]
            track[n] = min(inherited) if inherited else len(set(track.values()))
        spans: dict[tuple[str, int], list[int]] = {}
        for n in order:
            node = self.nodes[n]
            span = spans.setdefault((node.lane, track[n]), [node.rank, node.rank])
            span[0], span[1] = min(span[0], node.rank), max(span[1], node.rank)
        rows: dict[tuple[str, int], int] = {}
        used: dict[str, list[tuple[int, int, int]]] = {}
        for (lane, tr), (lo, hi) in sorted(spans.items(), key=lambda kv: kv[0][1]):
            taken = {r for (a, b, r) in used.get(lane, []) if a <= hi and lo <= b}
            row = 0
            while row in taken:
                row += 1
            rows[(lane, tr)] = row
            used.setdefault(lane, []).append((lo, hi, row))
        for n in order:
            node = self.nodes[n]
            node.row = rows[(node.lane, track[n])]
        for node in self.nodes.values():
            if node.host in self.nodes:
                host = self.nodes[node.host]
                node.rank, node.row, node.lane = host.rank, host.row, host.lane

    # ---- geometry ------------------------------------------------------------------------

    def max_rank(self) -> int:
        return max((n.rank for n in self.nodes.values()), default=0)

    def place(self, pool_x: float, pool_y: float) -> None:
        for lane in self.leaves:
            rows = [n.row for n in self.nodes.values() if n.lane == lane.id]
            lane.rows = max(rows) + 1 if rows else 1
        self.pool_x, self.pool_y = pool_x, pool_y
        headers = POOL_HEADER + LANE_HEADER * lane_depth(self.lanes)
        self.x0 = pool_x + headers + MARGIN
        self.width = headers + MARGIN + (self.max_rank() + 1) * COL + MARGIN

        def stack(lanes: list[Lane], y: float) -> float:
            for lane in lanes:
                lane.y = y
                if lane.children:
                    y = stack(lane.children, y)
                    lane.height = y - lane.y
                else:
                    lane.height = lane.rows * ROW
                    y += lane.height
            return y

        end = stack(self.lanes if self.lanes else self.leaves, pool_y)
        self.height = end - pool_y
        lane_y = {lane.id: lane.y for lane in self.leaves}
        for node in self.nodes.values():
            if node.host in self.nodes:
                continue
            node.slot_top = lane_y[node.lane] + node.row * ROW
            cx = self.col_center(node.rank)
            node.x = round(cx - node.w / 2)
            node.y = round(node.slot_top + ROW / 2 - node.h / 2)
        by_host: dict[str, list[Node]] = {}
        for node in sorted(self.nodes.values(), key=lambda n: n.order):
            if node.host in self.nodes:
                by_host.setdefault(node.host, []).append(node)
        for host_id, events in by_host.items():
            host = self.nodes[host_id]
            for i, ev in enumerate(events):
                ev.slot_top = host.slot_top
                ev.x = round(host.x + host.w - 20 - ev.w - i * (ev.w + 6))
                ev.y = round(host.y + host.h - ev.h / 2)

    def col_center(self, rank: int) -> float:
        return self.x0 + rank * COL + COL / 2

    def col_left(self, rank: int) -> float:
        return self.x0 + rank * COL

    def col_right(self, rank: int) -> float:
        return self.x0 + (rank + 1) * COL

    # ---- edges ---------------------------------------------------------------------------

    def _hits(self, points, skip: set[str]) -> int:
        hits = 0
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            lo_x, hi_x = min(x1, x2), max(x1, x2)
            lo_y, hi_y = min(y1, y2), max(y1, y2)
            for node in self.nodes.values():
                if node.id in skip:
                    continue
                if lo_x < node.x + node.w - 1 and hi_x > node.x + 1 and lo_y < node.y + node.h - 1 \
                        and hi_y > node.y + 1:
                    hits += 1
        return hits

    @staticmethod
    def _clean(points):
        out = []
        for p in points:
            p = (round(p[0]), round(p[1]))
            if out and out[-1] == p:
                continue
            out.append(p)
        # drop middle points of straight runs
        i = 1
        while i < len(out) - 1:
            (ax, ay), (bx, by), (cx, cy) = out[i - 1], out[i], out[i + 1]
            if (ax == bx == cx) or (ay == by == cy):
                out.pop(i)
            else:
                i += 1
        return out

    def _slot(self, table: dict, coord: float, key) -> float:
        """Offset of a parallel segment in a shared gap so that unrelated flows do not overlap."""
        keys = table.setdefault(round(coord), [])
        if key not in keys:
            keys.append(key)
        i = keys.index(key)
        return ((i + 1) // 2) * (1 if i % 2 else -1) * 12

    def _gap_x(self, x: float, key) -> float:
        return x + self._slot(self.vslots, x, key)

    def _gap_y(self, y: float, key) -> float:
        off = self._slot(self.hslots, y, key) / 2
        if y <= self.pool_y + 1:
            return y + 2 * CHANNEL + off
        if y >= self.pool_y + self.height - 1:
            return y - 2 * CHANNEL + off
        return y + off

    def route(self, flow: Flow):
        if not hasattr(self, "vslots"):
            self.vslots, self.hslots = {}, {}
            self.outdeg: dict[str, int] = {}
            self.indeg: dict[str, int] = {}
            for f in self.flows:
                self.outdeg[f.source] = self.outdeg.get(f.source, 0) + 1
                self.indeg[f.target] = self.indeg.get(f.target, 0) + 1
        s, t = self.nodes[flow.source], self.nodes[flow.target]
        split_key = ("s", s.id) if self.outdeg.get(s.id, 0) > 1 else ("f", flow.id)
        merge_key = ("t", t.id) if self.indeg.get(t.id, 0) > 1 else ("f", flow.id)
        skip = {s.id, t.id}
        tx, ty = t.x, t.cy
        xb = self.col_left(t.rank)
        if s.host in self.nodes:
            skip.add(s.host)
            host = self.nodes[s.host]
            yd = self._gap_y(host.slot_top + ROW, ("f", flow.id))
            start = [(s.cx, s.y + s.h), (s.cx, yd)]
            xv = self._gap_x(xb, merge_key)
            cands = [[*start, (tx, ty)]] if ty == yd else [[*start, (xv, yd), (xv, ty), (tx, ty)]]
            return self._pick(cands, skip), (s.cx + 4, yd + 2)
        sx, sy = s.x + s.w, s.cy
        xa = self.col_right(s.rank)
        # horizontal detours run along the border between two row slots
        channels = [s.slot_top, s.slot_top + ROW, t.slot_top, t.slot_top + ROW]
        forward = t.rank > s.rank
        cands = []
        if forward:
            if sy == ty:
                cands.append(("straight", [(sx, sy), (tx, ty)]))
            cands.append(("vertical", [(sx, sy), (xa, sy), (xa, ty), (tx, ty)]))
            if xb != xa:
                cands.append(("vertical-in", [(sx, sy), (xb, sy), (xb, ty), (tx, ty)]))
        else:
            channels = [min(s.slot_top, t.slot_top), max(s.slot_top, t.slot_top) + ROW, *channels]
        for yc in channels:
            cands.append(("channel", [(sx, sy), (xa, sy), (xa, yc), (xb, yc), (xb, ty), (tx, ty)]))
        best = None
        for kind, pts in cands:
            hits = self._hits(pts, skip)
            if best is None or hits < best[0]:
                best = (hits, kind, pts)
            if hits == 0:
                break
        _, kind, pts = best
        width = text_width(flow.name)
        if kind == "straight":
            return self._clean(pts), (sx + 4, sy - 18)
        if kind in ("vertical", "vertical-in"):
            v = self._gap_x(pts[1][0], split_key if kind == "vertical" else merge_key)
            pts = [pts[0], (v, sy), (v, ty), pts[3]]
            label = (v + 4, t.slot_top + 2) if ty > sy else (v + 4, t.slot_top + ROW - 18)
            return self._clean(pts), label
        va = self._gap_x(xa, split_key)
        vb = self._gap_x(xb, merge_key)
        yc = self._gap_y(pts[2][1], ("f", flow.id))
        pts = [(sx, sy), (va, sy), (va, yc), (vb, yc), (vb, ty), (tx, ty)]
        lx = va + 4 if forward else va - width - 4
        return self._clean(pts), (lx, yc - 16)

    def _pick(self, cands, skip):
        best = min(cands, key=lambda pts: self._hits(pts, skip))
        return self._clean(best)


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


def layout_tree(tree) -> None:
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
    diagram = etree.SubElement(root, q(BPMNDI, "BPMNDiagram"))
    diagram.set("id", f"BPMNDiagram_{plane_ref}")
    plane = etree.SubElement(diagram, q(BPMNDI, "BPMNPlane"))
    plane.set("id", f"BPMNPlane_{plane_ref}")
    plane.set("bpmnElement", plane_ref)
    y = ORIGIN_Y
    for part_id, process in participants:
        if process is None:
            continue
        lay = ProcessLayout(process)
        lay.compute_ranks()
        lay.assign_rows()
        lay.place(ORIGIN_X, y)
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
            if node.kind in {"subProcess", "transaction", "adHocSubProcess"}:
                shape.set("isExpanded", "false")
            add_bounds(shape, node.x, node.y, node.w, node.h)
            if node.name and (node.kind in EVENTS or node.kind in GATEWAYS):
                label = etree.SubElement(shape, q(BPMNDI, "BPMNLabel"))
                width = 100
                lines = max(1, -(-text_width(node.name) // width))
                add_bounds(label, node.cx - width / 2, node.y + node.h + 4, width, 14 * lines)
        for flow in lay.flows:
            if flow.source not in lay.nodes or flow.target not in lay.nodes:
                continue
            points, (lx, ly) = lay.route(flow)
            edge = etree.SubElement(plane, q(BPMNDI, "BPMNEdge"))
            edge.set("id", f"{flow.id}_di")
            edge.set("bpmnElement", flow.id)
            for px, py in points:
                wp = etree.SubElement(edge, q(DI, "waypoint"))
                wp.set("x", str(px))
                wp.set("y", str(py))
            if flow.name:
                label = etree.SubElement(edge, q(BPMNDI, "BPMNLabel"))
                add_bounds(label, lx, ly, text_width(flow.name), 14)
        y += lay.height + POOL_GAP
    etree.indent(diagram, space="  ", level=1)
    diagram.tail = "\n"
    prev = diagram.getprevious()
    if prev is not None and (prev.tail is None or not prev.tail.strip()):
        prev.tail = "\n  "


def layout_file(src: Path, dst: Path | None = None) -> None:
    parser = etree.XMLParser(remove_blank_text=False)
    tree = etree.parse(str(src), parser)
    root = tree.getroot()
    nsmap = dict(root.nsmap)
    missing = {"bpmndi": BPMNDI, "dc": DC, "di": DI}
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
    layout_tree(tree)
    tree.write(str(dst or src), xml_declaration=True, encoding="UTF-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path, help="BPMN files to lay out")
    ap.add_argument("-o", "--output", type=Path, help="output file (only with a single input)")
    args = ap.parse_args(argv)
    if args.output and len(args.files) != 1:
        ap.error("--output needs exactly one input file")
    for f in args.files:
        layout_file(f, args.output)
        print(f"laid out {args.output or f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
