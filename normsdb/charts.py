"""Charts drawn as inline SVG by the server: geometry here, markup in the templates.

Each chart also carries its numbers as a table, the text alternative for screen readers.
"""

from dataclasses import dataclass

# One colour per legal force, shared with the badges in site.css (all ≥ 4.5:1 on white).
FORCE_COLOURS = {
    "binding": "#1b5e20",
    "politically_binding": "#0d47a1",
    "voluntary": "#5d4037",
    "expert_restatement": "#6a1b9a",
    "codification": "#b71c1c",
}


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


def stacked_years(rows, forces, *, width=640, height=220, margin=32):
    """rows: [(year, {force: count})] → bars, axis ticks and the scale's top value."""
    if not rows:
        return {"bars": [], "ticks": [], "width": width, "height": height, "max": 0}
    top = max(sum(counts.values()) for _, counts in rows)
    plot_height = height - 2 * margin
    step = (width - 2 * margin) / len(rows)
    bar_width = max(step * 0.75, 2)
    bars, ticks = [], []
    for index, (year, counts) in enumerate(rows):
        x = margin + index * step
        y = height - margin
        for force, label in forces:
            count = counts.get(force, 0)
            if not count:
                continue
            bar_height = plot_height * count / top
            y -= bar_height
            bars.append(
                Bar(x, y, bar_width, bar_height, FORCE_COLOURS[force], f"{year}: {count} {label}")
            )
        every = max(1, len(rows) // 8)
        if index % every == 0:
            ticks.append({"x": x + bar_width / 2, "label": year})
    return {
        "bars": bars,
        "ticks": ticks,
        "width": width,
        "height": height,
        "max": top,
        "baseline": height - margin,
        "margin": margin,
    }


def horizontal_bars(rows, *, width=640, row_height=26, label_width=220):
    """rows: [(label, count, url)] → bars with their label positions."""
    top = max((count for _, count, _ in rows), default=0) or 1
    bars = []
    for index, (label, count, url) in enumerate(rows):
        bar_width = (width - label_width - 60) * count / top
        bars.append(
            {
                "label": label,
                "count": count,
                "url": url,
                "y": index * row_height,
                "width": bar_width,
                "text_y": index * row_height + row_height * 0.65,
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": max(len(rows) * row_height, row_height),
        "label_width": label_width,
    }
