"""Plain-text rendering of a story report for the terminal: the claim table compactly, one
line per claim with each outlet's mark (● states it, ✕ states it otherwise, · not mentioned)."""

from __future__ import annotations

from .models import StoryReport
from .report import claim_counts

BADGES = {"corroborated": "agreed", "single_source": "single", "contested": "CONTESTED"}


def printable(text: str) -> str:
    """Text from an article made safe for one terminal line (no control characters)."""
    return "".join(c if c.isprintable() else " " for c in text)


def render_story_text(report: StoryReport, width: int = 110) -> str:
    s = report.story
    headline = report.extra.get("headline") or s.headline
    outlets = list(dict.fromkeys(a["outlet"] for a in report.articles))
    counts = claim_counts(report)
    out = [f"Story #{s.id}: {printable(headline)}",
           f"{s.articles} articles from {s.outlets} outlets ({s.origins} independent), "
           f"{s.first_date or '?'} → {s.last_date or '?'}; claims: {counts['corroborated']} agreed, "
           f"{counts['single_source']} single-source, {counts['contested']} contested", "", "Outlets:"]
    for n, outlet in enumerate(outlets, start=1):
        out.append(f"  [{n}] {printable(outlet)}")
    for a in report.articles:
        copy = f"  [{a['copy_kind']} copy of {printable(a['duplicate_of'])}]" if a["duplicate_of"] else ""
        out.append(f"      {outlets.index(a['outlet']) + 1}: {a['published'] or 'no date'} | "
                   f"{printable(a['title'])}  ({printable(a['id'])}){copy}")
    if report.summary:
        out += ["", "Summary:"]
        out += [f"  {printable(item.text)}  [{printable(item.source)}]" for item in report.summary]
    if report.claims:
        out += ["", "Claims (" + " ".join(str(n) for n in range(1, len(outlets) + 1)) + "):"]
        for row in report.claims:
            stating = {e.source for e in row.evidence}
            against = {c.source for c in row.conflicts}
            marks = "".join("✕" if o in against else "●" if o in stating else "·" for o in outlets)
            text = printable(row.text)
            text = text if len(text) <= width else text[:width - 1] + "…"
            out.append(f"  {row.id:>4} {marks} {BADGES[row.status]:<9} {text}")
            if row.status == "contested":
                for conflict in row.conflicts:
                    out.append(f"{'':>{12 + len(outlets)}}vs {printable(conflict.source)}: "
                               f"“{printable(conflict.value)}” ({conflict.kind})")
    if report.attributions:
        out += ["", "Who is cited:"]
        for a in report.attributions:
            out.append(f"  {printable(a.source)}: {printable(a.speaker)} ({a.kind}): {printable(a.text)[:100]}")
    if report.timeline:
        out += ["", "Timeline:"]
        out += [f"  {t.date}  {printable(t.text)[:100]}  [{printable(t.source)}, '{t.expression}']"
                for t in report.timeline]
    if report.entities:
        out += ["", "Entities: " + "; ".join(printable(e.name) for e in report.entities[:30])]
    return "\n".join(out)
