"""Conversations and how each ended, in SQL: tools/report/sessions.py's definition, for the
dashboard, so `daily_volume` counts what `kefu report` counts.

A conversation is a buyer's run of messages (either way) with no silence of SESSION_GAP or
more, counted when the buyer wrote in it. It ended as: ticket (a person took one over),
bot (kefu answered, or acted itself and kept a ticket as the record), follow_up (about an
older ticket: left out of the share), left (asked for a person, or was in an intake
question, and went before a ticket) or unanswered (went after "which one?" or "I don't
know"). The self-service share is bot / all but follow-ups. tests/test_figures_agree.py
computes it both ways on generated data.
"""

from __future__ import annotations

from bot.callbacks import (
    Cancel,
    Demand,
    Feedback,
    Human,
    Issue,
    NoOrder,
    Pick,
    Rate,
    Reopen,
    encode,
)
from tools.report.sessions import SESSION_GAP

_UNSOLVED, _HUMAN = encode(Feedback("no")), encode(Human())
_INTAKE = ", ".join(f"'{c.kind}'" for c in (Demand, Issue, NoOrder, Cancel))
_AFTERCARE = " OR ".join(f"mm.text LIKE '{c.kind}:%'" for c in (Rate, Reopen))
_GAP_MS = int(SESSION_GAP.total_seconds() * 1000)
_KIND = "substr(oc.data, 1, instr(oc.data || ':', ':') - 1)"


def conversations_cte(period: str = "p") -> str:
    """CTEs ending in `conv (user_id, start, outcome)`: one row per conversation."""
    return f"""
mp AS (SELECT m.*, lag(m.at) OVER (PARTITION BY m.user_id ORDER BY m.id) AS prev
       FROM messages m JOIN {period} ON m.at >= {period}.since AND m.at < {period}.until),
ms AS (SELECT *, sum(CASE WHEN prev IS NULL OR round((julianday(at) - julianday(prev))
         * 86400000) >= {_GAP_MS} THEN 1 ELSE 0 END) OVER (PARTITION BY user_id ORDER BY id)
         AS run
       FROM mp),
oc AS (SELECT o.user_id, o.at, json_array_length(o.choices) AS n,
         coalesce(json_extract(j.value, '$.data'), '') AS data
       FROM outbox o JOIN {period} ON o.at >= {period}.since AND o.at < {period}.until,
         json_each(o.choices) j
       WHERE o.audience = 'user' AND o.choices != '[]'),
dec AS (SELECT ms.id, CASE
         WHEN ms.decision IS NOT NULL THEN CASE WHEN ms.decision IN ('clarify', 'fallback')
           THEN ms.decision ELSE 'other' END
         WHEN EXISTS (SELECT 1 FROM oc WHERE oc.user_id = ms.user_id AND oc.at = ms.at
           AND oc.data LIKE '{Pick.kind}:%') THEN 'clarify'
         WHEN EXISTS (SELECT 1 FROM oc WHERE oc.user_id = ms.user_id AND oc.at = ms.at
           AND oc.n = 1 AND oc.data = '{_HUMAN}') THEN 'fallback'
         ELSE 'other' END AS decision
       FROM ms WHERE ms.direction = 'in' AND ms.kind = 'text'),
runs AS (SELECT user_id, run, min(at) AS start, max(at) AS end,
           (SELECT id FROM ms x WHERE x.user_id = ms.user_id AND x.run = ms.run
            AND x.direction = 'in' ORDER BY id DESC LIMIT 1) AS last_in
         FROM ms GROUP BY user_id, run HAVING max(direction = 'in')),
tk AS (SELECT tickets.id, user_id, created_at,
         coalesce(agent_id IS NULL AND first_reply_at = created_at, 0) AS by_kefu
       FROM tickets JOIN {period} ON created_at >= {period}.since AND created_at < {period}.until),
conv AS (SELECT r.user_id, r.start, CASE
    WHEN EXISTS (SELECT 1 FROM tk WHERE tk.user_id = r.user_id AND tk.created_at >= r.start
      AND tk.created_at <= r.end AND NOT tk.by_kefu) THEN 'ticket'
    WHEN EXISTS (SELECT 1 FROM tk WHERE tk.user_id = r.user_id AND tk.created_at >= r.start
      AND tk.created_at <= r.end) THEN 'bot'
    WHEN EXISTS (SELECT 1 FROM ms mm LEFT JOIN tickets ot ON ot.id = mm.ticket_id
      WHERE mm.user_id = r.user_id AND mm.run = r.run AND mm.direction = 'in'
      AND ((mm.ticket_id IS NOT NULL AND coalesce(ot.created_at, r.start) < r.start)
           OR (mm.kind = 'button' AND ({_AFTERCARE})))) THEN 'follow_up'
    WHEN EXISTS (SELECT 1 FROM ms mm WHERE mm.user_id = r.user_id AND mm.run = r.run
      AND mm.direction = 'in' AND ((mm.kind = 'button' AND mm.text IN ('{_UNSOLVED}', '{_HUMAN}'))
           OR (mm.kind = 'command' AND mm.text LIKE '/human%')))
      OR EXISTS (SELECT 1 FROM ms mm JOIN oc ON oc.user_id = mm.user_id AND oc.at = mm.at
      WHERE mm.user_id = r.user_id AND mm.run = r.run AND {_KIND} IN ({_INTAKE})) THEN 'left'
    WHEN (SELECT decision FROM dec WHERE dec.id = r.last_in) IN ('clarify', 'fallback')
      THEN 'unanswered'
    ELSE 'bot' END AS outcome
  FROM runs r)"""
