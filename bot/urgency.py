"""A furious, threatening or hurried buyer: noted on the ticket and first in its tier.

The mood never decides what the problem is (the matcher does); it only tells the
agent how the buyer feels and moves the ticket up within its tier (`priority`).
"""

from __future__ import annotations

from typing import Any

from intents.understand import Understanding

THREAT, UPSET = 2, 1  # ticket priority within its tier: a threat first, then angry or urgent


def mood_of(u: Understanding) -> dict[str, Any] | None:
    """What the message's mood adds to the details (None when calm)."""
    mood = getattr(u, "mood", None)
    if mood is None or not any((mood.angry, mood.threat, mood.urgent)):
        return None
    return {"angry": bool(mood.angry), "threat": bool(mood.threat),
            "urgent": bool(mood.urgent), "words": [str(w) for w in mood.words][:5]}


def priority(mood: dict[str, Any] | None) -> int:
    """How far up its tier a ticket goes for this mood."""
    if not mood:
        return 0
    return THREAT if mood.get("threat") else UPSET if mood.get("angry") or mood.get("urgent") \
        else 0


def staff_line(mood: dict[str, Any] | None) -> str | None:
    """One terse line for the card: what the buyer's tone means for the agent."""
    if not mood:
        return None
    said = [name for key, name in (("threat", "扬言投诉/曝光"), ("angry", "情绪激动"),
                                   ("urgent", "很急")) if mood.get(key)]
    words = f" ({', '.join(mood.get('words', []))})" if mood.get("words") else ""
    return f"⚠️ 买家{' · '.join(said)}{words}" if said else None
