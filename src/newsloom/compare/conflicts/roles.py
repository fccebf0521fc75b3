"""People in roles: two outlets name different people in the same office for the same thing
("Foreign Ministry spokesperson Mao Ning" against "spokesperson Wang Wenbin"). The office is
the title words before a name; the people are told apart through the story's entity table, so
"Todd Jones" and "Byron Todd Jones" are one person.
"""

from __future__ import annotations

import re

_ROLE = re.compile(r"\b(?P<role>(?:[a-z]+\s+)?(?:spokesperson|spokesman|spokeswoman|chief|director|minister|secretary|"
                   r"coach|commissioner|sheriff|prosecutor|attorney|judge|mayor|governor|ceo|chairman|chairwoman|"
                   r"president|manager|captain))\s+(?P<name>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})")


class RoleDetector:
    kind = "role"

    def frames(self, claim, context):
        from . import Frame

        frames = []
        for match in _ROLE.finditer(claim.sentence):
            name = match.group("name")
            canonical = context.entities.canonical(name) if context.entities is not None else name
            frames.append(Frame(self.kind, match.group("role").lower(), canonical, match.group(0)))
        return frames

    def disagree(self, a, b) -> bool:
        x, y = a.value.lower().split(), b.value.lower().split()
        return not (set(x) & set(y))

    def specific(self, frame) -> bool:
        return False

    def explain(self, a, b) -> str:
        return f"who is the {a.key}: {a.value} against {b.value}"
