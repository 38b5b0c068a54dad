"""Charts drawn as inline SVG by the server: geometry here, markup in templates/_chart_*.html.

The drawings are about as wide as the column they sit in (460 and 440 units), so that their
15-unit text renders at about 15 px on a desktop and never much below 12 px on a phone.

Each chart also carries its numbers as a table, the text alternative for screen readers.
Colours are SVG fill attributes (not inline styles, which the CSP forbids) and every colour
holds at least 4.5:1 against white.
"""

from dataclasses import dataclass

# One colour per legal force, shared with the badges in site.css.
FORCE_COLOURS = {
    "binding": "#1b5e20",
    "politically_binding": "#0d47a1",
    "voluntary": "#5d4037",
    "expert_restatement": "#6a1b9a",
    "codification": "#b71c1c",
}
PALETTE = ["#1d3a5f", "#1b5e20", "#8a5a00", "#6a1b9a", "#b71c1c", "#00695c", "#283593", "#4e342e"]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


def stacked_years(rows, series, colours=None, *, width=460, height=220, margin=34):
    """rows: [(year, {key: count})]; series: [(key, label)] → bars, ticks, legend, table.

    Years without a value inside the range are drawn as gaps, so the axis stays a timeline."""
    colours = colours or {key: PALETTE[i % len(PALETTE)] for i, (key, _) in enumerate(series)}
    chart = {
        "bars": [],
        "ticks": [],
        "width": width,
        "height": height,
        "max": 0,
        "baseline": height - margin,
        "margin": margin,
        "legend": [(colours[key], label) for key, label in series],
        "series": series,
        "table": [(year, counts, sum(counts.values())) for year, counts in rows if counts],
    }
    if not rows:
        return chart
    years = [year for year, _ in rows]
    by_year = dict(rows)
    timeline = [(year, by_year.get(year, {})) for year in range(min(years), max(years) + 1)]
    top = max(sum(counts.values()) for _, counts in timeline) or 1
    plot_height = height - 2 * margin
    step = (width - 2 * margin) / len(timeline)
    bar_width = max(step * 0.75, 2)
    every = max(1, len(timeline) // 8)
    for index, (year, counts) in enumerate(timeline):
        x = margin + index * step
        y = height - margin
        for key, label in series:
            count = counts.get(key, 0)
            if not count:
                continue
            bar_height = plot_height * count / top
            y -= bar_height
            chart["bars"].append(
                Bar(x, y, bar_width, bar_height, colours[key], f"{year}: {count} {label}")
            )
        if index % every == 0:
            chart["ticks"].append({"x": x + bar_width / 2, "label": year})
    chart["max"] = top
    return chart


def horizontal_bars(rows, *, width=440, row_height=44):
    """rows: [(label, count, url)] → bars, each with its label above it in full (no label
    is clipped, however long)."""
    top = max((count for _, count, _ in rows), default=0) or 1
    bars = []
    for index, (label, count, url) in enumerate(rows):
        y = index * row_height
        bars.append(
            {
                "label": label,
                "count": count,
                "url": url,
                "label_y": y + 16,
                "y": y + 22,
                "width": max((width - 60) * count / top, 1),
                "count_y": y + 35,
            }
        )
    return {"bars": bars, "width": width, "height": max(len(rows) * row_height, row_height)}
