"""Plain-text rendering of a story report for the terminal."""

from __future__ import annotations

from .models import StoryReport


def render_story_text(report: StoryReport) -> str:
    s = report.story
    headline = report.extra.get("headline") or s.headline
    out = [f"Story #{s.id}: {headline}",
           f"{s.articles} articles from {s.outlets} outlets ({s.origins} independent), "
           f"{s.first_date or '?'} → {s.last_date or '?'}", "", "Articles:"]
    for a in report.articles:
        copy = f"  [{a['copy_kind']} copy of {a['duplicate_of']}]" if a["duplicate_of"] else ""
        out.append(f"  - {a['source'] or 'unknown outlet'} | {a['published'] or 'no date'} | {a['title']}  ({a['id']}){copy}")
    if report.summary:
        out += ["", "Summary:"]
        out += [f"  {item.text}  [{item.source}]" for item in report.summary]
    if report.facts:
        out += ["", "Facts:"]
        for fact in report.facts:
            badge = {"corroborated": f"corroborated by {len(fact.sources)}",
                     "single_source": f"only {fact.sources[0] if fact.sources else '?'}",
                     "contested": "contested"}[fact.status]
            out.append(f"  [{badge}] {fact.text}")
            for conflict in fact.conflicts:
                out.append(f"      vs. {conflict.source}: {conflict.sentence}")
    if report.attributions:
        out += ["", "Attributions:"]
        for a in report.attributions:
            out.append(f"  {a.source}: {a.speaker} ({a.kind}): {a.text[:120]}")
    if report.timeline:
        out += ["", "Timeline:"]
        out += [f"  {t.date}  {t.text[:120]}  [{t.source}, '{t.expression}']" for t in report.timeline]
    if report.entities:
        out += ["", "Entities: " + "; ".join(e.name for e in report.entities[:30])]
    return "\n".join(out)
