"""Plain-text rendering of a story report for the terminal: the claim table compactly, one
line per claim with each outlet's mark (● states it, ✕ states it otherwise, · not mentioned)."""

from __future__ import annotations

from .display import printable


BADGES = {"corroborated": "agreed", "single_source": "single", "contested": "CONTESTED"}


def render_story_text(data: dict, width: int = 110) -> str:
    """A story report (the JSON shape of ``story --json``) for the terminal."""
    s = data["story"]
    outlets = s["outlet_names"]
    counts = s["claim_counts"]
    out = [f"Story #{s['id']}: {printable(s['headline'])}",
           f"{s['articles']} articles from {s['outlets']} outlets ({s['origins']} independent), "
           f"{s['first_date'] or '?'} → {s['last_date'] or '?'}; claims: {counts['corroborated']} agreed, "
           f"{counts['single_source']} single-source, {counts['contested']} contested", "", "Outlets:"]
    for n, outlet in enumerate(outlets, start=1):
        out.append(f"  [{n}] {printable(outlet)}")
    shown = {a["id"]: a["shown_id"] or a["id"] for a in data["articles"]}
    for a in data["articles"]:
        original = shown.get(a["duplicate_of"], a["duplicate_of"])
        copy = f"  [{a['copy_kind']} copy of {printable(original)}]" if a["duplicate_of"] else ""
        out.append(f"      {outlets.index(a['outlet']) + 1}: {a['published'] or 'no date'} | "
                   f"{printable(a['title'])}  ({printable(shown[a['id']])}){copy}")
    if data["summary"]:
        out += ["", "Summary:"]
        out += [f"  {printable(item['text'])}  [{printable(item['source'])}]" for item in data["summary"]]
    if data["claims"]:
        out += ["", "Claims (" + " ".join(str(n) for n in range(1, len(outlets) + 1)) + "):"]
        for row in data["claims"]:
            stating = {e["source"] for e in row["evidence"]}
            against = {c["source"] for c in row["conflicts"]}
            marks = "".join("✕" if o in against else "●" if o in stating else "·" for o in outlets)
            text = printable(row["text"])
            text = text if len(text) <= width else text[:width - 1] + "…"
            out.append(f"  {row['id']:>4} {marks} {BADGES[row['status']]:<9} {text}")
            for conflict in row["conflicts"]:
                out.append(f"{'':>{12 + len(outlets)}}vs {printable(conflict['source'])}: "
                           f"“{printable(conflict['value'])}” ({conflict['kind']})")
    if data["attributions"]:
        out += ["", "Who is cited:"]
        for a in data["attributions"]:
            out.append(f"  {printable(a['source'])}: {printable(a['speaker'])} ({a['kind']}): "
                       f"{printable(a['text'])[:100]}")
    if data["timeline"]:
        out += ["", "Timeline:"]
        out += [f"  {t['date']}  {printable(t['text'])[:100]}  [{printable(t['source'])}, '{printable(t['expression'])}']"
                for t in data["timeline"]]
    if data["entities"]:
        out += ["", "Entities: " + "; ".join(printable(e["name"]) for e in data["entities"][:30])]
    return "\n".join(out)
