"""The report's figures as SQL, for Datasette's canned queries (`kefu dashboard`).

Each query takes :since and :until (UTC text such as 2026-11-01; blank = no limit) and
filters tickets by when they were opened, messages by when they were sent. Tickets kefu
handled itself (no agent, first reply at opening) are left out of times and promises. Percentiles
are nearest-rank, as in the report (tools/report/stats.py). Days are the shop's: UTC shifted
by the zone's current offset. Handoff reasons and FAQ gaps are simplified here (exact
wording, the last 转人工 button counted as "not understood"); `kefu report` is the reference.
"""

from __future__ import annotations

from bot.callbacks import Feedback, Human, Pick, encode
from tools.report.sql_sessions import conversations_cte
from tools.report.stats import share_sql

# Button data as the messages and outbox tables hold it (plain words: safe inside SQL quotes).
_UNSOLVED, _HUMAN, _PICK = encode(Feedback("no")), encode(Human()), Pick.kind
_PERIOD = ("p AS (SELECT coalesce(nullif(:since, ''), '0000') AS since, "
           "coalesce(nullif(:until, ''), '9999') AS until)")
_TICKETS = f"""{_PERIOD},
t AS (SELECT tk.*, coalesce(json_extract(o.data, '$.tier'), tk.tier) AS opened_tier,
        coalesce(json_extract(o.data, '$.promised_at'), tk.promised_at) AS first_promise,
        json_extract(tk.details, '$.rating') AS rating,
        coalesce(tk.agent_id IS NULL AND tk.first_reply_at = tk.created_at, 0) AS by_kefu
      FROM tickets tk JOIN p ON tk.created_at >= p.since AND tk.created_at < p.until
      LEFT JOIN ticket_events o ON o.ticket_id = tk.id AND o.event = 'opened')"""
_EVENTS = f"{_TICKETS},\ne AS (SELECT ev.* FROM ticket_events ev JOIN t ON t.id = ev.ticket_id)"


def _percentiles(minutes_sql: str, where: str, group: str = "opened_tier") -> str:
    """p50 / p90 (nearest rank) of a minutes expression per group."""
    return f"""WITH {_TICKETS},
m AS (SELECT {group} AS grp, round(({minutes_sql}) * 1440, 1) AS minutes FROM t
      WHERE NOT by_kefu AND {where}),
r AS (SELECT grp, minutes, row_number() OVER (PARTITION BY grp ORDER BY minutes) AS rn,
        count(*) OVER (PARTITION BY grp) AS n FROM m)
SELECT grp AS tier, n AS tickets,
  max(CASE WHEN rn = (50 * n + 99) / 100 THEN minutes END) AS p50_minutes,
  max(CASE WHEN rn = (90 * n + 99) / 100 THEN minutes END) AS p90_minutes
FROM r GROUP BY grp, n ORDER BY grp"""


def canned_queries(offset_minutes: int) -> dict[str, dict[str, str]]:
    """Datasette canned queries for the report's figures (days shifted by offset_minutes)."""
    day = f"date(%s, '{offset_minutes:+d} minutes')"
    return {name: {"title": title, "description": desc, "sql": sql.strip()}
            for name, (title, desc, sql) in _queries(day).items()}


def _queries(day: str) -> dict[str, tuple[str, str, str]]:
    first = "julianday(first_reply_at) - julianday(created_at)"
    solved = "julianday(resolved_at) - julianday(created_at)"
    resolved = "stage = '已解决' AND resolved_at IS NOT NULL"
    return {
        "daily_volume": ("每日咨询量 / daily volume",
                         "Buyers and conversations each day, how many the bot settled (as in "
                         "kefu report), tickets per tier.",
                         _daily(day)),
        "tickets_by_intent": ("按意图 / tickets by intent", "Tickets opened per intent.",
                              _by_intent()),
        "handoff_reasons": ("转人工原因 / handoff reasons",
                            "Why each ticket was opened (simplified; see kefu report).",
                            _handoffs()),
        "first_reply_by_tier": ("首次回复 / first reply by tier",
                                "Minutes from opening to the first agent reply, p50 / p90.",
                                _percentiles(first, "first_reply_at IS NOT NULL")),
        "resolution_by_tier": ("解决时长 / resolution by tier",
                               "Minutes from opening to resolved, p50 / p90.",
                               _percentiles(solved, resolved)),
        "eta_promises": ("承诺兑现 / promises kept",
                         "Was the first reply there by the time first promised?", _eta()),
        "sla_breaches": ("SLA 超时 / breaches", "Breaches by target and tier.", _breaches()),
        "escalations": ("升级 / escalations", "Escalations by reason.", _escalations()),
        "reopen_rate": ("重新打开 / reopen rate", "Resolved tickets that were reopened.",
                        _reopen()),
        "ratings": ("评分分布 / ratings", "Stars given, 1-5.", _ratings()),
        "ratings_by_intent": ("按意图评分 / ratings by intent", "Average stars per intent.",
                              _ratings_by("intent")),
        "agents": ("客服 / agents", "Per agent: tickets, resolved, p50s and stars.", _agents()),
        "faq_gaps": ("FAQ 缺口 / FAQ gaps",
                     "Buyer messages the bot fell back on or had to clarify (exact wording).",
                     _gaps()),
    }


def _daily(day: str) -> str:
    # Conversations and their outcomes as `kefu report` defines them (sql_sessions.py):
    # a buyer who left mid-intake or unanswered is not self-served.
    return f"""WITH {_TICKETS},{conversations_cte()},
b AS (SELECT {day % 'start'} AS day, count(DISTINCT user_id) AS buyers,
        sum(outcome != 'follow_up') AS conversations, sum(outcome = 'bot') AS bot_settled
      FROM conv GROUP BY 1),
k AS (SELECT {day % 'created_at'} AS day, count(DISTINCT user_id) AS buyers_with_ticket,
        sum(opened_tier = 'S') AS s, sum(opened_tier = 'A') AS a, sum(opened_tier = 'B') AS b
      FROM t WHERE NOT by_kefu GROUP BY 1),
d AS (SELECT day FROM b UNION SELECT day FROM k)
SELECT d.day, coalesce(b.buyers, 0) AS buyers, coalesce(b.conversations, 0) AS conversations,
  coalesce(b.bot_settled, 0) AS bot_settled, coalesce(k.buyers_with_ticket, 0)
  AS buyers_with_ticket, {share_sql("b.bot_settled", "b.conversations")}
  AS self_service_share, coalesce(k.s, 0) AS "S", coalesce(k.a, 0) AS "A",
  coalesce(k.b, 0) AS "B"
FROM d LEFT JOIN b ON b.day = d.day LEFT JOIN k ON k.day = d.day ORDER BY d.day"""


def _by_intent() -> str:
    return f"""WITH {_TICKETS}
SELECT intent, count(*) AS tickets, sum(stage = '已解决') AS resolved,
  round(avg(rating), 2) AS avg_rating
FROM t GROUP BY intent ORDER BY tickets DESC, intent"""


def _handoffs() -> str:
    return f"""WITH {_TICKETS},
h AS (SELECT t.intent, (SELECT m.text FROM messages m WHERE m.user_id = t.user_id
        AND m.direction = 'in' AND m.at <= t.created_at
        AND julianday(t.created_at) - julianday(m.at) < 30.0 / 1440
        AND ((m.kind = 'button' AND m.text IN ('{_UNSOLVED}', '{_HUMAN}'))
             OR (m.kind = 'command' AND m.text LIKE '/human%'))
        ORDER BY m.id DESC LIMIT 1) AS trigger FROM t)
SELECT CASE WHEN trigger = '{_UNSOLVED}' THEN 'unsolved' WHEN trigger = '{_HUMAN}' THEN 'fallback'
  WHEN trigger LIKE '/human%' OR intent = 'contact_human' THEN 'human'
  ELSE 'ticket_intent' END AS reason, count(*) AS tickets
FROM h GROUP BY reason ORDER BY tickets DESC, reason"""


def _eta() -> str:
    return f"""WITH {_TICKETS},
s AS (SELECT CASE WHEN first_reply_at IS NOT NULL AND julianday(first_reply_at)
          <= julianday(first_promise) THEN 'kept'
        WHEN first_reply_at IS NOT NULL OR julianday('now') > julianday(first_promise)
          THEN 'broken' ELSE 'pending' END AS status
      FROM t WHERE first_promise IS NOT NULL AND NOT by_kefu)
SELECT sum(status = 'kept') AS kept, sum(status = 'broken') AS broken,
  sum(status = 'pending') AS pending,
  round(sum(status = 'kept') * 1.0 / nullif(sum(status != 'pending'), 0), 3) AS kept_share
FROM s"""


def _breaches() -> str:
    return f"""WITH {_EVENTS}
SELECT json_extract(e.data, '$.target') AS target, json_extract(e.data, '$.tier') AS tier,
  count(*) AS breaches, count(DISTINCT e.ticket_id) AS tickets
FROM e WHERE e.event = 'sla_breached' GROUP BY 1, 2 ORDER BY 1, 2"""


def _escalations() -> str:
    return f"""WITH {_EVENTS}
SELECT CASE WHEN e.event = 'chase_escalated' OR json_extract(e.data, '$.reason') = 'chased'
  THEN 'chased'
  WHEN json_extract(e.data, '$.reason') = 'sla' THEN 'sla_' || json_extract(e.data, '$.target')
  WHEN json_extract(e.data, '$.reason') LIKE 'sla_%' THEN json_extract(e.data, '$.reason')
  ELSE 'manual' END AS reason, count(*) AS escalations
FROM e WHERE e.event IN ('escalated', 'chase_escalated') GROUP BY 1 ORDER BY 2 DESC, 1"""


def _reopen() -> str:
    return f"""WITH {_EVENTS},
r AS (SELECT DISTINCT ticket_id FROM e WHERE event = 'reopened'),
s AS (SELECT DISTINCT ticket_id FROM e WHERE event = 'resolved'
      UNION SELECT id FROM t WHERE stage = '已解决' AND resolved_at IS NOT NULL)
SELECT (SELECT count(*) FROM r) AS reopened, (SELECT count(*) FROM s) AS resolved,
  round((SELECT count(*) FROM r) * 1.0 / nullif((SELECT count(*) FROM s), 0), 3) AS reopen_rate"""


def _ratings() -> str:
    return f"""WITH {_TICKETS}
SELECT rating AS stars, count(*) AS tickets FROM t WHERE rating IS NOT NULL
GROUP BY rating ORDER BY rating DESC"""


def _ratings_by(column: str) -> str:
    return f"""WITH {_TICKETS}
SELECT {column}, count(*) AS ratings, round(avg(rating), 2) AS average
FROM t WHERE rating IS NOT NULL GROUP BY {column} ORDER BY average DESC, {column}"""


def _agents() -> str:
    first = "round((julianday(first_reply_at) - julianday(created_at)) * 1440, 1)"
    solved = "round((julianday(resolved_at) - julianday(created_at)) * 1440, 1)"
    return f"""WITH {_TICKETS},
f AS (SELECT agent_id, {first} AS v, row_number() OVER (PARTITION BY agent_id ORDER BY
        {first}) AS rn, count(*) OVER (PARTITION BY agent_id) AS n
      FROM t WHERE agent_id IS NOT NULL AND first_reply_at IS NOT NULL),
r AS (SELECT agent_id, {solved} AS v, row_number() OVER (PARTITION BY agent_id ORDER BY
        {solved}) AS rn, count(*) OVER (PARTITION BY agent_id) AS n
      FROM t WHERE agent_id IS NOT NULL AND stage = '已解决' AND resolved_at IS NOT NULL)
SELECT a.name AS agent, count(t.id) AS tickets, sum(t.stage = '已解决') AS resolved,
  (SELECT v FROM f WHERE f.agent_id = a.id AND rn = (50 * n + 99) / 100) AS first_reply_p50,
  (SELECT v FROM r WHERE r.agent_id = a.id AND rn = (50 * n + 99) / 100) AS resolution_p50,
  round(avg(t.rating), 2) AS avg_rating, count(t.rating) AS ratings
FROM agents a JOIN t ON t.agent_id = a.id GROUP BY a.id ORDER BY tickets DESC, a.name"""


def _gaps() -> str:
    # messages.decision says what the bot decided; rows older than it are read from the
    # buttons the reply offered in the same turn (o), as the report does.
    return f"""WITH {_PERIOD},
o AS (SELECT user_id, at, max(choices LIKE '%"{_PICK}:%') AS clarify,
        max(json_array_length(choices) = 1 AND json_extract(choices, '$[0].data') = '{_HUMAN}')
          AS fallback
      FROM outbox WHERE audience = 'user' AND choices != '[]' GROUP BY user_id, at),
d AS (SELECT m.text, m.user_id, coalesce(m.decision = 'fallback', o.fallback, 0) AS fallback,
        coalesce(m.decision = 'clarify', o.clarify, 0) AS clarify
      FROM messages m JOIN p ON m.at >= p.since AND m.at < p.until
      LEFT JOIN o ON m.decision IS NULL AND o.user_id = m.user_id AND o.at = m.at
      WHERE m.direction = 'in' AND m.kind = 'text')
SELECT trim(text) AS text, count(*) AS messages, count(DISTINCT user_id) AS buyers,
  sum(fallback) AS fallback, sum(clarify) AS clarify
FROM d WHERE clarify OR fallback
GROUP BY trim(text) ORDER BY messages DESC, buyers DESC, text LIMIT 200"""
