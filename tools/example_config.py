"""The commented kefu.yaml that `kefu init` writes."""

from string import Template

from intents.decide import Thresholds

_TEMPLATE = """\
# kefu.yaml: every key is optional; what is shown is the default.
# Environment variables override: KEFU_DB, KEFU_TZ, KEFU_STAFF_CHAT, KEFU_FAQ
# (and KEFU_CONFIG points at this file). The bot token is only ever read
# from KEFU_TELEGRAM_TOKEN, never from this file.

database: kefu.db            # one SQLite file (WAL mode); back up: sqlite3 kefu.db .backup b.db
faq:                         # intents and answers; empty: ./faq.yaml if there, else kefu's own
timezone: Asia/Shanghai

business_hours:              # when people answer; promises outside start at the next opening
  opens: "09:00"
  closes: "24:00"            # 24:00 = midnight; a close before the open runs past midnight
  workdays_only: false       # true: closed on weekends and public holidays (chinesecalendar)

tiers:                       # first-reply and resolution targets per priority tier
  S: {first_reply_minutes: 60, resolve_minutes: 480, working_days_only: false,
      amount: 500}             # a problem about an order of this many 元 or more is S tier
  A: {first_reply_minutes: 120, resolve_minutes: 1440, working_days_only: false}
  B: {first_reply_minutes: 5, resolve_minutes: 60, working_days_only: false}

eta:
  minimum_minutes: 5         # never promise sooner than this
  round_to_minutes: 5        # promises are rounded up to this on the clock (14:31 -> 14:35)
  pickup_minutes: 10         # a free agent's time to a first reply
  handle_minutes: 15         # time per ticket; recent tickets' mean takes over gradually
  history_size: 50           # how many recent tickets that mean uses

# Canonical order number (after removing spaces). null follows orders.backend: dujiaoka
# [A-Z0-9]{16}, acgfaka \\d{18}, dujiao_next DN\\d{10,24}, else '[A-Z]{0,4}\\d{12,24}'.
order_pattern: null

match:                       # matcher score cut-offs (see README: chosen from measurements)
  answer: $answer
  margin: $margin
  clarify: $clarify

reopen_days: 7               # a buyer may reopen a resolved ticket within this many days

sla:                         # timers on open tickets (targets are the tiers above)
  warn_ratio: 0.8            # warn staff in the ticket's thread at 80 % of a target
  reassign_on_breach: true   # a breached ticket goes to the least busy on-duty senior
  check_seconds: 30          # how often the timers are checked

guard:                       # abuse: staff can also /block and /unblock a buyer
  flood_per_minute: 20       # more messages a minute: a slow-down reply, no tickets; 0 = off

retention:                   # kefu prune, and the bot once a day
  messages_days: 180         # older message texts become a stub; 0 = keep them

notices:                     # channel notices (/notice 支付宝 30 说明) match these names
  aliases:
    支付宝: [alipay, zfb]
    微信: [wechat, vx, wx]
  alternatives:              # what buyers can do while a channel is down
    支付宝: 可以先用微信支付下单, 到账时间不变。

orders:                      # the shop's order data: "卡密没到 KM..." is answered at once
  backend: none              # none | sqlite (kefu's orders table, see README) | http
                             # | dujiaoka | acgfaka | dujiao_next (the shop's database)
  dsn_env: KEFU_ORDERS_DSN   # those three: the variable holding the database URL
  table_prefix: acg_         # acg-faka's table prefix
  small_order_amount: 50     # failed orders up to this many 元 are refunded at once
  auto_refund_daily_cap: 20  # such refunds a day; beyond it an agent approves each
  check_owner: true          # describe an order only to the Telegram user it names
  owner_proof: telegram      # sqlite: buyer column holds telegram ids | contact (buyers prove it)
  delivery_minutes: 10       # a paid card order not delivered by then has failed
  recharge_minutes: 30       # the usual time of a direct top-up (stuck after 4x)
  repeat_claims: 3           # "not received" on this many orders in 30 days: flagged
  resends_per_order_per_day: 1  # automatic resends of one order a day; then a person checks
  resends_per_buyer_per_day: 3  # of all one buyer's orders a day (0: never automatic)
  http:                      # backend http: one lookup takes 5 s at most, retries included
    preset: ""               # acgfaka_public | dujiao_next_guest: fills the keys below (README)
    base_url: ""             # with a preset: the shop's address, e.g. https://faka.example.com
    lookup_url: ""           # e.g. https://shop.example.com/api/orders/{order_no}
    lookup_method: GET       # GET | POST
    lookup_body: form        # a POST's body: form | json
    lookup_params: {}        # name: template; {order_no}, {email}/{contact}, {password}
    refund_url: ""           # POST; empty: agents approve refunds with one tap
    resend_url: ""           # POST; empty: no automatic resend of card codes
    token_env: ""            # e.g. SHOP_API_TOKEN: the variable holding the API token
    headers: {}              # e.g. {Authorization: "Bearer {token}"}
    fields: {}               # kefu field: path in the shop's JSON, e.g. {status: data.state}
    statuses: {}             # the shop's status: kefu's, e.g. {"3": 已发货, "4": 充值失败}
    data_path: ""            # where the order (or a list of them) sits, e.g. data
    ok_path: ""              # the wrapper's result code, e.g. status_code
    ok_value: ""             # its success value, e.g. "0"; another value: no such order
    message_path: msg        # the wrapper's message
    error_values: []         # result codes meaning the shop failed, e.g. ["500"]
    throttle_values: []      # result codes meaning slow down (限流), e.g. ["429"]
    throttle_words: []       # words in the message meaning the same, e.g. [频繁]
    records_telegram: true   # the mapped buyer holds Telegram ids (false: buyers prove it)
    timeout_seconds: 2       # per attempt
    retries: 2               # after a timeout, a refused connection, 5xx or 429 (Retry-After)

telegram:                    # Telegram's flood limits kefu keeps when sending
  messages_per_second: 30    # overall; 0 = no limit (only for a test server)
  group_messages_per_minute: 20  # per group (the staff chat); 0 = no limit
  http: aiohttp  # the Bot API's HTTP client: aiohttp (less CPU) or httpx (PTB's default)

staff_chat:                  # Telegram staff supergroup id, e.g. -1001234567890

agents:                      # Telegram user ids of agents; role: junior | senior | supervisor
  # - {id: 123456789, name: 小王, role: senior}
  # - {id: 987654321, name: 老李, role: supervisor}
"""

# The thresholds shown are the code's own defaults, so the example never drifts.
EXAMPLE = Template(_TEMPLATE).substitute(answer=Thresholds.answer, margin=Thresholds.margin,
                                         clarify=Thresholds.clarify)
