"""One call from raw text to a decision plus the details it carries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from intents.decide import NONE, Decision, Thresholds, decide
from intents.extract import DEFAULT_ORDER_PATTERN, Details, extract, extract_demand
from intents.match import Matcher, Ranking
from intents.mood import Mood, read_mood
from intents.several import several
from intents.typed import is_bare_number

MAX_INPUT = 2000  # extraction reads further than matching, but nothing reads 10,000 characters
# Asking for a person always reaches one, whatever the matcher thinks.
_HUMAN = re.compile(r"转人工|人工客服|真人客服|找人工|要人工|^(人工|真人|客服|人工服务)$")
# ...unless they ask when a person is there ("人工客服几点上班"): business_hours answers that.
_WHEN = re.compile(r"几点|什么时候|时间|上班|下班|营业|上线|下线|周末|节假日|放假|凌晨|半夜"
                   r"|24小时")


@dataclass(frozen=True)
class Understanding:
    """What a message means and what it says."""

    decision: Decision
    ranking: Ranking
    details: Details
    # Up to two more problems, each clearly stated in a clause of its own, distinct from
    # decision.intent and never greeting/thanks/goodbye/none (docs/intents.md).
    also: tuple[str, ...] = ()
    mood: Mood = field(default_factory=Mood)


def understand(matcher: Matcher, text: str, thresholds: Thresholds,
               order_pattern: str = DEFAULT_ORDER_PATTERN) -> Understanding:
    """Match, decide and extract for one message; never raises on any str."""
    text = text[:MAX_INPUT]
    details = extract(text, order_pattern)
    mood = read_mood(text)
    if is_bare_number(text) and (norm := matcher.normalize(text)) not in matcher.doc_text:
        # A bare "5" rates or picks a choice; its digits once made it a 5000 元
        # large_order_abnormal intake. Only a number the FAQ lists word for word ("88",
        # "886": bye) keeps its intent; long digit runs are order numbers, read below.
        return Understanding(Decision("fallback", NONE, 0.0), Ranking(norm, ()), details,
                             mood=mood)
    ranking = _consistent(matcher, matcher.rank(text), details)
    decision = decide(ranking, thresholds)
    if _wants_person(ranking.text) and matcher.faq.get("contact_human"):
        decision = Decision("answer", "contact_human", max(decision.confidence, 1.0))
        also: tuple[str, ...] = ()
    else:
        decision, also = several(matcher.faq, ranking, decision, thresholds)
    return Understanding(decision, ranking, _with_demand(matcher, decision, ranking, details),
                         also, mood)


CONTRADICTED = 0.8  # score kept by an intent whose fixed demand the buyer's words contradict
LARGE = "large_order_abnormal"
LARGE_FROM_YUAN = 500  # tier S money, as the core reads it from the amount
# What makes an order large or a batch: without one of these (or >= 500 元), "两百多 充值失败"
# and "三个二十 扣了" are one ordinary order, however alike their words read to the matcher.
_SIZE = re.compile(r"大额|大单|大量|批量|批发|一批|多单|好多单|很多单|所有|全部|都卡|都没|"
                   r"[几十百千万\d]+(?:个|笔)?[^\s，。]{0,4}单|全失败|全卡|全没|[十百千万\d]+张|"
                   r"一万|两万|几万|上万|"
                   r"几千|千块|万块|接口|api|代理|店铺|工作室|客户")


def _consistent(matcher: Matcher, ranking: Ranking, details: Details) -> Ranking:
    """Demote intents the buyer's words contradict: a fixed demand other than the one
    stated ("帮我补发" is no 退款 request), and a large-order intake for an order nothing
    marks as large."""
    demand = details.demand
    sized = bool(_SIZE.search(ranking.text)) or (details.amount or 0) >= LARGE_FROM_YUAN

    def fits(intent_id: str) -> bool:
        if intent_id == LARGE and not sized:
            return False
        if demand not in ("补发", "退款"):
            return True
        intent = matcher.faq.get(intent_id)
        fixed = intent.ticket.demand if intent and intent.ticket else "ask"
        return fixed == demand or fixed not in ("补发", "退款")

    # An unsized large order is dropped, not demoted: offering 大额订单异常 for "两百多
    # 充值失败" alarms the buyer, and the core escalates big sums from the amount anyway.
    scored = [c if fits(c.intent) else replace(c, score=round(c.score * CONTRADICTED, 4))
              for c in ranking.candidates if c.intent != LARGE or sized]
    return replace(ranking, candidates=tuple(sorted(scored, key=lambda c: -c.score)))


def _wants_person(norm: str) -> bool:
    """The buyer asks for a person now, not about when people work."""
    return bool(_HUMAN.search(norm)) and not _WHEN.search(norm)


def _with_demand(matcher: Matcher, decision: Decision, ranking: Ranking,
                 details: Details) -> Details:
    """The demand kefu records: what the words ask for, else what the intent implies.

    The raw text is read first, then the normalised text, where the synonym table has
    turned English and typos into Chinese. A wish stated outright wins over the intent's
    default (duplicate_charge defaults to 退款, but "查下" asks for a check), except that
    a progress intent stays a 查询: "退款多久到" asks about a refund, it does not ask for one.
    """
    intent = matcher.faq.get(decision.intent) if decision.kind != "fallback" else None
    fixed = intent.ticket.demand if intent and intent.ticket else "ask"
    said = details.demand or extract_demand(ranking.text)
    if fixed == "查询" and said in ("退款", "补发"):
        said = None
    return replace(details, demand=said or (None if fixed == "ask" else fixed))
