"""The commented kefu.yaml that `kefu init` writes."""

from string import Template

from intents.decide import Thresholds

_TEMPLATE = """\
# kefu.yaml: every key is optional; what is shown is the default.
# Environment variables override: KEFU_DB, KEFU_TZ, KEFU_STAFF_CHAT, KEFU_FAQ
# (and KEFU_CONFIG points at this file). The bot token is only ever read
# from KEFU_TELEGRAM_TOKEN, never from this file.

database: kefu.db            # one SQLite file (WAL mode); back up: sqlite3 kefu.db .backup b.db
faq: faq.yaml                # intents, examples and answers
timezone: Asia/Shanghai

business_hours:              # when people answer; promises outside start at the next opening
  opens: "09:00"
  closes: "24:00"            # 24:00 = midnight; a close before the open runs past midnight
  workdays_only: false       # true: closed on weekends and public holidays (chinesecalendar)

tiers:                       # first-reply and resolution targets per priority tier
  S: {first_reply_minutes: 60, resolve_minutes: 480, working_days_only: false}
  A: {first_reply_minutes: 120, resolve_minutes: 1440, working_days_only: false}
  B: {first_reply_minutes: 5, resolve_minutes: 60, working_days_only: false}

eta:
  minimum_minutes: 5         # never promise sooner than this
  round_to_minutes: 5        # promises are rounded up to this on the clock (14:31 -> 14:35)
  pickup_minutes: 10         # a free agent's time to a first reply
  handle_minutes: 15         # time per ticket; recent tickets' mean takes over gradually
  history_size: 50           # how many recent tickets that mean uses

order_pattern: '[A-Z]{0,4}\\d{12,24}'   # canonical order number (after removing spaces)

match:                       # matcher score cut-offs (see README: chosen from measurements)
  answer: $answer
  margin: $margin
  clarify: $clarify

reopen_days: 7               # a buyer may reopen a resolved ticket within this many days

sla:                         # timers on open tickets (targets are the tiers above)
  warn_ratio: 0.8            # warn staff in the ticket's thread at 80 % of a target
  reassign_on_breach: true   # a breached ticket goes to the least busy on-duty senior
  check_seconds: 30          # how often the timers are checked

staff_chat:                  # Telegram staff supergroup id, e.g. -1001234567890

agents:                      # Telegram user ids of agents; role: junior | senior | supervisor
  # - {id: 123456789, name: 小王, role: senior}
  # - {id: 987654321, name: 老李, role: supervisor}
"""

# The thresholds shown are the code's own defaults, so the example never drifts.
EXAMPLE = Template(_TEMPLATE).substitute(answer=Thresholds.answer, margin=Thresholds.margin,
                                         clarify=Thresholds.clarify)
