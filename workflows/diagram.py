"""Pictures of a profile's lifecycle: Mermaid text, and an SVG drawn here on the server.

Both are generated from the profile's transition table, so a city that edits its profile sees
its own lifecycle. The SVG needs no JavaScript and no ``style`` (the site's CSP allows neither
inline): it is coloured with presentation attributes. Same profile, same text, byte for byte.
"""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass
from functools import partial
from xml.sax.saxutils import escape, quoteattr

# Geometry, in SVG user units (about pixels at the intended width of 1100-1400).
BOX_W = 170
BOX_H = 44
ROW_PITCH = 104  # between the centres of consecutive ranks
COL_PITCH = 240  # between the centres of states of one rank
SIDE_GAP = 120  # between the main states and a column of final states
TERMINAL_SPACING = BOX_H + 24
MARGIN = 16
STATE_FONT = 13
LABEL_FONT = 11
LABEL_LINE = 13
CHAR_WIDTH = 0.56  # average advance of a sans-serif character, in ems (an estimate)
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# Colours keep WCAG AA contrast on white.
INK = "#212529"
EDGE = "#343a40"
EXIT_EDGE = "#6c757d"
STATE_FILL = "#eef6f0"
IN_FORCE_FILL = "#cfe6d6"
STATE_STROKE = "#1f5130"
FINAL_FILL = "#e9ecef"
FINAL_STROKE = "#495057"

# How far a curved edge may bow away from the straight line to get round a state, in order.
BOWS = (0, 28, -28, 56, -56, 90, -90, 130, -130, 180, -180, 240, -240)
# Where a trigger label may sit: fraction along the edge, shift across it.
LABEL_ALONG = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.2, 0.8)
LABEL_ACROSS = (0, 14, -14, 28, -28, 38, -38, 52, -52)
# Edges sharing a target and a label are labelled once, near the target, from this many.
SHARED_LABEL_MIN = 3
CROSSING_COST = 12  # of a label lying across another edge, against moving it away
# Characters per line of a trigger label: the first that finds a good place, the narrower
# costing a little more (it reads less easily).
LABEL_WRAPS = ((16, 0), (9, 6))


def lifecycle_edges(profile) -> list[tuple[str, str, tuple[str, ...]]]:
    """Every (source, target, triggers) of the profile, one per pair, in profile order."""
    found: dict[tuple[str, str], list[str]] = {}
    for spec in profile.transitions:
        for source in spec.sources:
            triggers = found.setdefault((source, spec.target), [])
            if spec.trigger not in triggers:
                triggers.append(spec.trigger)
    return [(source, target, tuple(triggers)) for (source, target), triggers in found.items()]


def _plain(name: str) -> str:
    return name.replace("_", " ")


def _mermaid_text(text: str) -> str:
    # Characters that end or confuse a Mermaid label.
    return " ".join(re.sub(r'[";:#{}<>]', " ", str(text)).split())


def mermaid(profile, labels: dict | None = None, trigger_labels: dict | None = None) -> str:
    """The lifecycle as a Mermaid ``stateDiagram-v2``, ready to paste into documentation.

    States and triggers keep their profile names; ``labels`` (state -> text) adds display names
    as state descriptions and ``trigger_labels`` (trigger -> text) replaces the edge labels.
    """
    lines = ["stateDiagram-v2"]
    if labels:
        for state in profile.states:
            text = _mermaid_text(labels.get(state, _plain(state)))
            lines.append(f'    state "{text}" as {state}')
    lines.append(f"    [*] --> {profile.initial}")
    for source, target, triggers in lifecycle_edges(profile):
        names = [_mermaid_text(trigger_labels.get(t, t)) if trigger_labels else t for t in triggers]
        lines.append(f"    {source} --> {target}: {' / '.join(names)}")
    for state in profile.states:
        if state in profile.terminal:
            lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"


# --- SVG ---------------------------------------------------------------------------------


@dataclass
class _Box:
    """A rectangle by its centre and size: a state, a label or an obstacle."""

    x: float
    y: float
    w: float
    h: float

    def contains(self, px: float, py: float, pad: float = 0) -> bool:
        return abs(px - self.x) <= self.w / 2 + pad and abs(py - self.y) <= self.h / 2 + pad

    def overlaps(self, other: _Box, pad: float = 0) -> bool:
        return (
            abs(self.x - other.x) < (self.w + other.w) / 2 + pad
            and abs(self.y - other.y) < (self.h + other.h) / 2 + pad
        )

    def boundary_towards(self, tx: float, ty: float) -> tuple[float, float]:
        """Where the ray from the centre towards (tx, ty) leaves the rectangle."""
        dx, dy = tx - self.x, ty - self.y
        if not dx and not dy:
            return self.x, self.y
        sx = (self.w / 2) / abs(dx) if dx else math.inf
        sy = (self.h / 2) / abs(dy) if dy else math.inf
        s = min(sx, sy)
        return self.x + dx * s, self.y + dy * s


@dataclass
class _Edge:
    source: str
    target: str
    texts: list[str]  # one per trigger
    exit: bool  # into a final state
    start: tuple[float, float] = (0, 0)
    control: tuple[float, float] | None = None
    control2: tuple[float, float] | None = None  # self-loops are cubic
    end: tuple[float, float] = (0, 0)

    def point(self, t: float) -> tuple[float, float]:
        (x0, y0), (x1, y1) = self.start, self.end
        if self.control2 is not None:
            (ax, ay), (bx, by) = self.control, self.control2
            u = 1 - t
            return (
                u**3 * x0 + 3 * u * u * t * ax + 3 * u * t * t * bx + t**3 * x1,
                u**3 * y0 + 3 * u * u * t * ay + 3 * u * t * t * by + t**3 * y1,
            )
        if self.control is not None:
            cx, cy = self.control
            u = 1 - t
            return (
                u * u * x0 + 2 * u * t * cx + t * t * x1,
                u * u * y0 + 2 * u * t * cy + t * t * y1,
            )
        return x0 + (x1 - x0) * t, y0 + (y1 - y0) * t


def _n(value: float) -> str:
    """A coordinate as short, stable text."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break a state label that does not fit its box into two lines, as even as can be."""
    words = text.split()
    if _text_width(text, size) <= width or len(words) < 2:
        return [text]
    splits = [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words))]
    return list(min(splits, key=lambda pair: max(len(pair[0]), len(pair[1]))))


def _wrap_label(text: str, width: int) -> list[str]:
    """Break a trigger label into lines of about ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def _ranks(profile, edges) -> dict[str, int]:
    """Breadth-first distance from the initial state, ignoring self-transitions."""
    after: dict[str, list[str]] = {}
    for source, target, _ in edges:
        if source != target:
            after.setdefault(source, []).append(target)
    rank = {profile.initial: 0}
    queue = deque([profile.initial])
    while queue:
        state = queue.popleft()
        for target in after.get(state, []):
            if target not in rank:
                rank[target] = rank[state] + 1
                queue.append(target)
    for state in profile.states:
        rank.setdefault(state, 0)
    return rank


def _place_states(profile, edges, label_width) -> dict[str, _Box]:
    """Ranks top to bottom, states of a rank side by side; final states in side columns.

    ``label_width(triggers)`` is the narrowest width of an edge label: states of one rank
    joined by an edge stand far enough apart for it.
    """
    rank = _ranks(profile, edges)
    order = {state: i for i, state in enumerate(profile.states)}
    boxes: dict[str, _Box] = {}
    rows: dict[int, list[str]] = {}
    for state in profile.states:
        if state not in profile.terminal:
            rows.setdefault(rank[state], []).append(state)
    for r in sorted(rows):
        members = rows[r]
        if r:
            # Under the states they come from (barycentre), profile order breaking ties.
            def barycentre(state: str, r: int = r) -> float:
                xs = [
                    boxes[source].x
                    for source, target, _ in edges
                    if target == state and source in boxes and rank[source] < r
                ]
                return sum(xs) / len(xs) if xs else 0.0

            members = sorted(members, key=lambda s: (barycentre(s), order[s]))
        pitch = max(
            [COL_PITCH]
            + [
                BOX_W + label_width(triggers) + 16
                for source, target, triggers in edges
                if source != target and source in members and target in members
            ]
        )
        for i, state in enumerate(members):
            x = (i - (len(members) - 1) / 2) * pitch
            boxes[state] = _Box(x, r * ROW_PITCH, BOX_W, BOX_H)

    half = max((abs(b.x) + b.w / 2 for b in boxes.values()), default=BOX_W / 2)
    finals = [s for s in profile.states if s in profile.terminal]
    sides: dict[str, list[tuple[float, int, str]]] = {"left": [], "right": []}
    load = {"left": 0, "right": 0}
    pending = []
    for state in finals:
        sources = [boxes[s] for s, t, _ in edges if t == state and s in boxes]
        if not sources:
            sources = [_Box(0, 0, 0, 0)]
        mean_x = sum(b.x for b in sources) / len(sources)
        mean_y = sum(b.y for b in sources) / len(sources)
        item = (mean_y, order[state], state)
        if abs(mean_x) > 1:
            side = "left" if mean_x < 0 else "right"
            sides[side].append(item)
            load[side] += len(sources)
        else:
            pending.append((-len(sources), order[state], item, len(sources)))
    for _, _, item, weight in sorted(pending):
        side = "left" if load["left"] <= load["right"] else "right"
        sides[side].append(item)
        load[side] += weight
    column_x = {"left": -(half + SIDE_GAP + BOX_W / 2), "right": half + SIDE_GAP + BOX_W / 2}
    for side, items in sides.items():
        items.sort()
        ys: list[float] = []
        for wanted, _, _ in items:
            ys.append(max(wanted, ys[-1] + TERMINAL_SPACING) if ys else wanted)
        for (_, _, state), y in zip(items, ys, strict=True):
            boxes[state] = _Box(column_x[side], y, BOX_W, BOX_H)
    return boxes


def _quadratic_hits(start, control, end, obstacles: list[_Box]) -> bool:
    steps = 48
    for i in range(1, steps):
        t = i / steps
        u = 1 - t
        if control is None:
            px, py = start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t
        else:
            px = u * u * start[0] + 2 * u * t * control[0] + t * t * end[0]
            py = u * u * start[1] + 2 * u * t * control[1] + t * t * end[1]
        if any(box.contains(px, py, pad=7) for box in obstacles):
            return True
    return False


def _route(edge: _Edge, a: _Box, b: _Box, obstacles: list[_Box], paired: bool) -> None:
    """A straight line, or the least bowed curve that passes no other state."""
    if edge.source == edge.target:
        # A loop on the right side of the box.
        right = a.x + a.w / 2
        edge.start = (right, a.y - 11)
        edge.end = (right, a.y + 11)
        edge.control = (right + 50, a.y - 36)
        edge.control2 = (right + 50, a.y + 36)
        return
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    first = None
    for bow in BOWS:
        if paired and not bow:
            continue  # a pair of opposite edges: each bows to its own side
        if bow:
            control = (mx + nx * 2 * bow, my + ny * 2 * bow)
            start, end = a.boundary_towards(*control), b.boundary_towards(*control)
        else:
            control = None
            start, end = a.boundary_towards(b.x, b.y), b.boundary_towards(a.x, a.y)
        if first is None:
            first = (start, control, end)
        if not _quadratic_hits(start, control, end, obstacles):
            break
    else:
        start, control, end = first
    edge.start, edge.control, edge.end = start, control, end


def _label_box(lines: list[str], x: float, y: float) -> _Box:
    width = max(_text_width(line, LABEL_FONT) for line in lines) + 8
    return _Box(x, y, width, len(lines) * LABEL_LINE + 4)


def _place_label(lines, spots, taken, states, foreign) -> tuple[_Box, float]:
    """The cheapest spot clear of states and labels; crossing another edge costs extra.

    ``spots`` yields (x, y, cost) with the cost of being that far from the ideal place;
    ``foreign`` holds the sample points of each other edge.
    """
    best, best_cost, fallback = None, math.inf, None
    for x, y, cost in spots:
        box = _label_box(lines, x, y)
        fallback = fallback or box
        if cost >= best_cost:
            continue
        if any(box.overlaps(s, pad=3) for s in states) or any(
            box.overlaps(t, pad=1) for t in taken
        ):
            continue
        crossed = sum(any(box.contains(px, py, pad=1) for px, py in points) for points in foreign)
        cost += CROSSING_COST * crossed
        if cost < best_cost:
            best, best_cost = box, cost
    return (best, best_cost) if best else (fallback, math.inf)


def _along(edge: _Edge, lines: list[str]):
    (x0, y0), (x1, y1) = edge.start, edge.end
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    for t in LABEL_ALONG:
        px, py = edge.point(t)
        for shift in LABEL_ACROSS:
            yield px + nx * shift, py + ny * shift, abs(t - 0.5) * 60 + abs(shift) * 0.6


def _loop_spots(edge: _Edge, lines: list[str]):
    width = _label_box(lines, 0, 0).w
    px = edge.control[0] + 2 + width / 2
    y = (edge.start[1] + edge.end[1]) / 2
    for i, shift in enumerate((0, -18, 18, -36, 36)):
        yield px, y + shift, i * 4
    yield edge.start[0] - BOX_W / 2, y - BOX_H / 2 - 14, 30  # above the box


def _shared_spots(target: _Box, members: list[_Edge], lines: list[str]):
    """Near the target, on the side the edges come from."""
    sx = sum(e.start[0] for e in members) / len(members)
    sy = sum(e.start[1] for e in members) / len(members)
    dx, dy = sx - target.x, sy - target.y
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    ex, ey = target.boundary_towards(target.x + ux, target.y + uy)
    for distance in (24, 44, 64, 84, 110):
        for shift in (0, 20, -20, 40, -40):
            yield (
                ex + ux * distance - uy * shift,
                ey + uy * distance + ux * shift,
                distance * 0.3 + abs(shift) * 0.3,
            )


def _text(x: float, y: float, lines: list[str], size: float, line: float, **attrs) -> str:
    """A centred block of text lines, as a <text> with one <tspan> per line."""
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
    first = y - (len(lines) - 1) * line / 2 + size * 0.35
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(first + i * line)}">{escape(text)}</tspan>'
        for i, text in enumerate(lines)
    )
    return f'<text text-anchor="middle" font-size="{_n(size)}"{extra}>{spans}</text>'


def _id_part(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)


def svg(
    profile,
    labels: dict | None = None,
    trigger_labels: dict | None = None,
    title: str | None = None,
    description: str | None = None,
) -> str:
    """The lifecycle drawn as an accessible SVG document fragment (no script, no style).

    ``labels`` maps states to display text and ``trigger_labels`` triggers to display text;
    without them the names are shown with underscores as spaces. ``title`` and
    ``description`` become the accessible name and description of the image.
    """
    labels = labels or {}
    trigger_labels = trigger_labels or {}
    prefix = f"lifecycle-{_id_part(profile.name)}"
    raw_edges = lifecycle_edges(profile)

    def state_text(state: str) -> str:
        return str(labels.get(state, _plain(state)))

    def trigger_text(trigger: str) -> str:
        return str(trigger_labels.get(trigger, _plain(trigger)))

    def narrowest(triggers) -> float:
        width, _ = LABEL_WRAPS[-1]
        lines = [line for t in triggers for line in _wrap_label(trigger_text(t), width)]
        return _label_box(lines, 0, 0).w

    boxes = _place_states(profile, raw_edges, narrowest)

    # The start: a dot above the initial state.
    initial = boxes[profile.initial]
    dot = (initial.x, initial.y - BOX_H / 2 - 44)
    dot_box = _Box(dot[0], dot[1], 20, 20)
    state_boxes = list(boxes.values())

    pairs = {(s, t) for s, t, _ in raw_edges}
    edges: list[_Edge] = []
    for source, target, triggers in raw_edges:
        texts = [trigger_text(trigger) for trigger in triggers]
        edge = _Edge(source, target, texts, target in profile.terminal)
        a, b = boxes[source], boxes[target]
        obstacles = [box for name, box in boxes.items() if name not in (source, target)]
        _route(edge, a, b, [*obstacles, dot_box], paired=(target, source) in pairs)
        edges.append(edge)

    # Labels: loops first (little choice of place), then shared ones, then the rest.
    groups: dict[tuple[str, tuple[str, ...]], list[_Edge]] = {}
    for edge in edges:
        if edge.source != edge.target:
            groups.setdefault((edge.target, tuple(edge.texts)), []).append(edge)
    shared = {key: members for key, members in groups.items() if len(members) >= SHARED_LABEL_MIN}
    samples = [[edge.point(i / 40) for i in range(1, 40)] for edge in edges]

    def others(*mine: _Edge) -> list[list[tuple[float, float]]]:
        return [points for edge, points in zip(edges, samples, strict=True) if edge not in mine]

    taken: list[_Box] = [dot_box]
    placed: list[tuple[list[str], _Box]] = []

    def place(texts, spots, *mine: _Edge) -> None:
        foreign = others(*mine)
        best = None
        for width, extra in LABEL_WRAPS:
            lines = [line for text in texts for line in _wrap_label(text, width)]
            box, cost = _place_label(lines, spots(lines), taken, state_boxes, foreign)
            if best is None or cost + extra < best[0]:
                best = (cost + extra, lines, box)
        _, lines, box = best
        taken.append(box)
        placed.append((lines, box))

    for edge in edges:
        if edge.source == edge.target:
            place(edge.texts, partial(_loop_spots, edge), edge)
    for (target, texts), members in shared.items():
        place(texts, partial(_shared_spots, boxes[target], members), *members)
    for edge in edges:
        if edge.source != edge.target and (edge.target, tuple(edge.texts)) not in shared:
            place(edge.texts, partial(_along, edge), edge)

    # The drawing's extent, from everything drawn.
    extent = [*state_boxes, *taken]
    extent += [_Box(*e.control, 1, 1) for e in edges if e.control2 is not None]
    left = min(b.x - b.w / 2 for b in extent) - MARGIN
    top = min(b.y - b.h / 2 for b in extent) - MARGIN
    right = max(b.x + b.w / 2 for b in extent) + MARGIN
    bottom = max(b.y + b.h / 2 for b in extent) + MARGIN
    width, height = math.ceil(right - left), math.ceil(bottom - top)

    def x_(v: float) -> str:
        return _n(v - left)

    def y_(v: float) -> str:
        return _n(v - top)

    title = title or f"Lifecycle of a proposal: {profile.title}"
    description = description or "States: " + ", ".join(state_text(s) for s in profile.states)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" class="lifecycle-diagram" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family={quoteattr(FONT_FAMILY)}>',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        "<defs>",
    ]
    for name, colour in (("arrow", EDGE), ("arrow-exit", EXIT_EDGE)):
        out.append(
            f'<marker id="{prefix}-{name}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")

    out.append('<g class="lifecycle-edges" fill="none">')
    for edge in edges:
        (x0, y0), (x1, y1) = edge.start, edge.end
        if edge.control2 is not None:
            (ax, ay), (bx, by) = edge.control, edge.control2
            shape = f"C{x_(ax)},{y_(ay)} {x_(bx)},{y_(by)} "
        elif edge.control is not None:
            shape = f"Q{x_(edge.control[0])},{y_(edge.control[1])} "
        else:
            shape = "L"
        d = f"M{x_(x0)},{y_(y0)} {shape}{x_(x1)},{y_(y1)}"
        if edge.exit:
            out.append(
                f'<path d="{d}" stroke="{EXIT_EDGE}" stroke-width="1.3" '
                f'stroke-dasharray="6 4" marker-end="url(#{prefix}-arrow-exit)"/>'
            )
        else:
            out.append(
                f'<path d="{d}" stroke="{EDGE}" stroke-width="1.6" '
                f'marker-end="url(#{prefix}-arrow)"/>'
            )
    out.append("</g>")

    # The start dot and its arrow into the initial state.
    out.append(
        f'<g class="lifecycle-start"><circle cx="{x_(dot[0])}" cy="{y_(dot[1])}" r="9" '
        f'fill="{INK}"/><path d="M{x_(dot[0])},{y_(dot[1] + 9)} L{x_(initial.x)},'
        f'{y_(initial.y - BOX_H / 2)}" stroke="{EDGE}" stroke-width="1.6" '
        f'marker-end="url(#{prefix}-arrow)"/></g>'
    )

    out.append('<g class="lifecycle-states">')
    for state in profile.states:
        box = boxes[state]
        x, y = box.x - box.w / 2, box.y - box.h / 2
        final = state in profile.terminal
        if final:
            fill, stroke, width_ = FINAL_FILL, FINAL_STROKE, "1.5"
        elif state in profile.in_force:
            fill, stroke, width_ = IN_FORCE_FILL, STATE_STROKE, "1.5"
        else:
            fill, stroke, width_ = STATE_FILL, STATE_STROKE, "1.5"
        if state == profile.initial:
            width_ = "2.5"
        kind = "final" if final else ("initial" if state == profile.initial else "stage")
        out.append(f'<g class="lifecycle-state lifecycle-{kind}">')
        out.append(
            f'<rect x="{x_(x)}" y="{y_(y)}" width="{_n(box.w)}" height="{_n(box.h)}" rx="8" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{width_}"/>'
        )
        if final:  # a double border marks an ending
            out.append(
                f'<rect x="{x_(x + 4)}" y="{y_(y + 4)}" width="{_n(box.w - 8)}" '
                f'height="{_n(box.h - 8)}" rx="5" fill="none" stroke="{stroke}" '
                f'stroke-width="1"/>'
            )
        lines = _wrap(state_text(state), box.w - 16, STATE_FONT)
        out.append(
            _text(
                box.x - left,
                box.y - top,
                lines,
                STATE_FONT,
                STATE_FONT + 2,
                fill=INK,
                font_weight="600",
            )
        )
        out.append("</g>")
    out.append("</g>")

    out.append('<g class="lifecycle-labels">')
    for lines, box in placed:
        out.append(
            f'<rect x="{x_(box.x - box.w / 2)}" y="{y_(box.y - box.h / 2)}" '
            f'width="{_n(box.w)}" height="{_n(box.h)}" rx="3" fill="#ffffff" '
            f'fill-opacity="0.92"/>'
        )
        out.append(_text(box.x - left, box.y - top, lines, LABEL_FONT, LABEL_LINE, fill=INK))
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
