"""What a buyer reads about several matters at once, typed choices and chasing an answer.

The sibling of bot/replies.py, kept apart so each file stays short; the same tone rules
apply: say why, until when and what next.
"""

from __future__ import annotations

from datetime import datetime

from bot.records import Ticket
from bot.replies import STAGE_NAMES, due_text


def which_matter(t: Ticket) -> str:
    """A new problem while a ticket is open, and kefu cannot tell which it is about."""
    return (f"想确认一下: 这是一个新问题, 还是工单 #{t.number} ({t.title}) 的补充? "
            "点选一下, 或直接回复「新问题」/「补充」:")


def still_open(tickets: list[Ticket], now: datetime) -> str:
    """One line under an answer: the open tickets are still being handled."""
    t = tickets[0]
    more = f" (另有 {len(tickets) - 1} 个工单, /status 查看)" if len(tickets) > 1 else ""
    return f"另外, 工单 #{t.number} 还在处理中, {due_text(t.promised_at, now)}{more}。"


def welcome_back(t: Ticket, now: datetime) -> str:
    """Thanks or a greeting while a ticket is open: where it stands, nothing appended."""
    stage = STAGE_NAMES.get(t.stage, t.stage)
    return (f"好的 🙂 工单 #{t.number} 现在是「{stage}」, {due_text(t.promised_at, now)}。"
            "有新情况直接发消息, 会补充给客服。")


CHASE_ANSWER = ("抱歉让你着急了 🙏 如果按刚才说的还没好, 我可以马上转人工客服跟进: 点「转人工」, "
                "你说过的情况和订单号会一起交给客服, 不用再描述一遍。")
CHASE_ANSWER_AGAIN = ("明白, 还没好确实着急。点「转人工」就能交给客服处理; "
                      "如果再问一次还没好, 我就直接帮你建工单, 并告诉你预计几点回复。")
CHASED_TO_TICKET = "好的, 不让你干等了, 已直接帮你转人工。"
FIRST_KEPT = "先把刚才的问题登记好了, 诉求由客服跟你确认:"
HUMAN_KEPT = "好的, 已转人工, 你刚才说的情况已经一并交给客服, 不用再说一遍。"
HUMAN_NO_ORDER = "有订单号的话直接发给我, 会自动补充到工单里。"
ASK_DESCRIBE = "好的, 请用一两句话描述一下遇到的问题, 我会原话转给客服:"
DIGIT_ALONE = ("收到「{text}」, 不过现在没有需要选择的选项。请直接说你的问题, "
               "比如「卡密没收到」「充值没到账」; 要评价的话可以回复「5星」。")


def received_offer(t: Ticket) -> str:
    """The buyer says the problem solved itself: offer to withdraw, nothing else changes."""
    return (f"太好了, 收到就好 🙂 工单 #{t.number} 如果不需要客服处理了, 点「撤销工单」即可; "
            "不点也没关系, 客服核实后会关闭。")


def not_again(text: str) -> str:
    """The same words as the last message this buyer got: say it differently."""
    return text + "\n(和上一条一样, 暂时没有新变化; 着急的话发 /human 找人工。)"


HELP = ("直接用一句话说问题就行, 比如「卡密没收到 KM2024…」「充值失败了 想退款」。\n"
        "按钮上的字也可以直接打: 查看进度 · 修改信息 · 撤销 · 转人工 · 算了; "
        "评价可以回复「5星」「满意」「差评」。\n"
        "命令: /status 查看所有工单和预计回复时间 · /human 转人工 · /cancel 取消当前操作")


_COUNT = {2: "两", 3: "三"}


def several(labels: list[str]) -> str:
    """What kefu understood when one message holds several problems."""
    items = " ".join(f"{n}. {label}" for n, label in enumerate(labels, 1))
    return f"你说了{_COUNT.get(len(labels), str(len(labels)))}件事: {items}"


def about(label: str, answer: str) -> str:
    """One FAQ part of a message with several problems, answered under its name."""
    return f"关于「{label}」: {answer.strip()}"


def later(label: str) -> str:
    """A further problem kefu did not act on in this reply: how to take it up next."""
    return f"你还提到「{label}」: 这个处理完后直接回复「{label}」, 我接着帮你处理。"
