"""Kinds of intent the routing cares about: a question the FAQ answers outright, words
about a ticket already open, small talk, and problems that need a lookup or a person."""

from __future__ import annotations

from bot.remedy import LOOKUP_INTENTS
from intents.faq import Intent

# Words about the ticket itself (or to whoever handles it), never a new matter.
ABOUT_TICKET = ("ticket_progress", "contact_human", "complaint", "greeting", "none")
SMALL_TALK = ("greeting", "thanks", "goodbye", "none")


def informational(intent: Intent) -> bool:
    """An FAQ question answered outright (business hours, how to use a card)."""
    return intent.action == "answer" and intent.id not in (*LOOKUP_INTENTS, *ABOUT_TICKET)
