"""Charts as inline SVG, drawn on the server: the browser renders them with no script.

Each chart has a title and a text description (for screen readers), and the figures it shows
are also in the table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 56


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    css_class: str
    low: list[float | None] | None = None  # a shaded band (e.g. the interquartile range)
    high: list[float | None] | None = None


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if count == 1 else inner * index / (count - 1))


def _y(value: float, y_max: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (1 - max(0.0, min(value, y_max)) / y_max)


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    *,
    y_max: float,
    y_label: str,
) -> Markup:
    count = len(categories)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    for step in range(5):
        value = y_max * step / 4
        y = _y(value, y_max)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{value:g}</text>"
        )
    parts.append(
        f'<text class="axis-label" x="12" y="{TOP + 8}" transform="rotate(-90 12 {TOP + 8})" '
        f'text-anchor="end">{escape(y_label)}</text>'
    )
    for index, name in enumerate(categories):
        x = _x(index, count)
        # The outermost labels grow inwards, so they are not cut at the chart's edges.
        anchor = "middle"
        if count > 1 and index == 0:
            anchor = "start"
        elif count > 1 and index == count - 1:
            anchor = "end"
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" '
            f'text-anchor="{anchor}">{escape(name)}</text>'
        )
    for line in series:
        if line.low is not None and line.high is not None:
            upper = [(_x(i, count), _y(v, y_max)) for i, v in enumerate(line.high) if v is not None]
            lower = [(_x(i, count), _y(v, y_max)) for i, v in enumerate(line.low) if v is not None]
            if len(upper) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower[::-1])
                parts.append(f'<polygon class="band {line.css_class}" points="{points}"/>')
        drawn = [
            (_x(i, count), _y(v, y_max), v) for i, v in enumerate(line.values) if v is not None
        ]
        if len(drawn) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in drawn)
            parts.append(f'<polyline class="line {line.css_class}" points="{path}"/>')
        for x, y, value in drawn:
            parts.append(
                f'<circle class="dot {line.css_class}" cx="{x:.1f}" cy="{y:.1f}" r="4">'
                f"<title>{escape(line.name)}: {value:g}</title></circle>"
            )
    legend_y = HEIGHT - 14
    for index, line in enumerate(series):
        x = LEFT + index * 200
        parts.append(
            f'<rect class="swatch {line.css_class}" x="{x}" y="{legend_y - 10}" width="14" '
            f'height="10"/><text class="legend" x="{x + 20}" y="{legend_y}">'
            f"{escape(line.name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text above is escaped
