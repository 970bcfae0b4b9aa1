"""Every sentence a buyer reads, in one place, so tone stays consistent.

Each reply that makes a buyer wait says why, until when and what next. What kefu
says about an order it looked up (delivered, refunded...) lives with the order
code, in bot/orders/wording.py; the FAQ's answers live in faq.yaml.
"""

from __future__ import annotations

from datetime import datetime

from bot.callbacks import Cancel, Demand, Edit, Feedback, Human, NoOrder, Status, choice
from bot.eta import format_due
from bot.records import Ticket

SOLVED = choice("解决了", Feedback("yes"))
UNSOLVED = choice("没解决, 转人工", Feedback("no"))
HUMAN = choice("转人工", Human())
CANCEL = choice("取消", Cancel())
NO_ORDER = choice("没有订单号", NoOrder())
CANT_FIND_ORDER = choice("找不到订单号", NoOrder())
EDIT = choice("修改信息", Edit())
STATUS = choice("查看进度", Status())
DEMAND_CHOICES = tuple(choice(d, Demand(d)) for d in ("补发", "退款", "查询", "其他"))
EDIT_DONE = choice("不用改了", Edit("done"))
EDIT_CHOICES = (choice("订单号", Edit("order_no")), choice("诉求", Edit("demand")),
                choice("问题类型", Edit("issue")), EDIT_DONE)

WELCOME = ("你好, 我是本店的售后客服助手 🙂\n"
           "直接说你的问题就行, 比如「卡密没收到」「充值没到账」「退款多久到」。\n"
           "常见问题我马上回答; 需要人工时我会帮你建工单, 并告诉你预计几点回复。\n"
           "/status 查工单进度 · /human 转人工 · /cancel 取消当前操作")
SOLVED_THANKS = "好的, 很高兴帮到你 🙂 还有问题随时发消息。"
CLARIFY = "我想确认一下, 你是想问哪一个? 点选一下, 或者换个说法再说一次:"
NOT_TEXT = ("暂时看不了{kind}哦 🙏 请用文字描述问题; 截图可以直接发图片, 我会附到工单里给客服看。")
TURN_FAILED = ("抱歉, 系统刚才没能处理你的消息。内容已经记下, 有工单的话会直接转给客服; "
               "也可以稍后再发一次, 或发 /human 找人工。")
LOOKING_UP = "正在查询订单… 商城系统有点慢, 请稍等, 结果马上发给你。"
EMPTY = "没看到内容 🙂 请用文字说一下遇到的问题, 比如「卡密没收到」或「充值没到账」。"
STALE_BUTTON = "这个按钮已经过期了。请直接说你的问题, 或发 /status 查看工单进度。"
ASK_ISSUE = "请问遇到的是哪类问题? 点选一个, 或者用一句话描述:"
ASK_ORDER = "请发一下订单号 (在订单详情或支付记录里, 例如 KM202411221530123456)。"
ASK_ORDER_OPTIONAL = ASK_ORDER + "\n没有订单号也可以, 点「没有订单号」继续。"
ASK_DEMAND = "你希望怎么处理? 点选一个, 或直接说你的要求:"
CANCELLED = "好的, 已取消, 没有创建工单。有需要随时发消息给我。"
NOTHING_TO_CANCEL = "现在没有进行中的操作。有问题直接发消息就行。"
NO_TICKETS = "你目前没有工单。遇到问题直接发消息给我, 需要人工时我会帮你建工单。"
ORDER_HELP = ("订单号能让客服最快查到你的订单: 在「我的订单」→ 订单详情里, 或支付宝/微信账单的"
              "商品说明里。实在找不到也可以点「找不到订单号」, 客服会按付款时间和金额帮你查。")
WHICH_FIELD = "要修改哪一项?"
RATE_ASK = "麻烦给这次服务打个分 (点星星), 帮我们做得更好:"
RATE_THANKS = "谢谢你的评价! 愿意的话, 直接回复一句话说说原因或建议, 我会转给主管。"
REOPEN_TOO_LATE = ("这个工单已超过 {days} 天, 不能重新打开了。直接说一下现在的问题, "
                   "我帮你建一个新工单。")
NOT_YOURS = "没有找到这个工单。/status 可以查看你自己的工单。"
ALREADY_RATED = "这个工单已经评价过了, 谢谢你 🙏"
COMMENT_THANKS = "收到你的意见, 已经转给主管, 谢谢你帮我们改进 🙏"
EVIDENCE_KEPT = "截图收到了, 会附在工单里给客服看。"
EVIDENCE_WHAT_PROBLEM = "截图收到了 👍 请再用一句话说一下遇到的问题, 比如「卡密没收到」。"
EDIT_UNCHANGED = "好的, 信息保持不变。"
ORDER_STILL_NEEDED = "收到, 已记下。处理还需要订单号:"
TO_HUMAN = "好的, 马上帮你转人工。先确认几个信息, 客服就不用再问你一遍:"
SLOW_DOWN = ("你发得有点快 🙏 为了不漏看你的问题, 我先暂停自动回复, 到 {until} 恢复。"
             "暂停期间发的内容不会保存, {until} 后把问题合成一条发给我就好。")
BLOCKED = ("抱歉, 你的账号目前无法使用在线客服, 之后的消息将不再回复。"
           "如有疑问, 请通过店铺页面上的其他联系方式联系我们。")

STAGE_PUSH = {
    "受理": "工单 #{no} 已受理, 客服会按顺序处理。",
    "核实": "工单 #{no} 进展: 客服正在核实你的订单信息, 核实完会告诉你处理方案。",
    "处理": "工单 #{no} 进展: 已核实, 正在为你处理 ({demand}), 完成后第一时间通知你。",
    "反馈": "工单 #{no} 进展: 已处理完成, 请确认一下是否收到 / 到账; 有问题直接回复我。",
    "已解决": "工单 #{no} 已解决 ✅ 谢谢你的耐心。{days} 天内如果还有问题, 直接回复即可重新打开。",
    "已关闭": "工单 #{no} 已关闭。需要帮忙随时发消息给我。",
}
STAGE_NAMES = {"受理": "已受理", "核实": "核实中", "处理": "处理中", "反馈": "待你确认",
               "已解决": "已解决", "已关闭": "已关闭"}


def not_text(kind: str) -> str:
    """Polite reply to a sticker, voice message, video, location..."""
    names = {"sticker": "贴纸", "voice": "语音", "video": "视频", "video_note": "视频",
             "location": "位置", "audio": "音频", "contact": "名片", "animation": "动图"}
    return NOT_TEXT.format(kind=names.get(kind, "这类消息"))


def bad_order_no(text: str) -> str:
    """Explain the order-number format after a malformed attempt."""
    shown = text.strip()[:30]
    return (f"「{shown}」看起来不像订单号: 订单号是 0-4 位字母加 12-24 位数字, "
            "例如 KM202411221530123456。请从订单详情复制后再发一次。")


def due_text(promised: datetime | None, now: datetime) -> str:
    """"预计 14:35 前回复" or an honest fallback when no promise exists."""
    return f"预计 {format_due(promised, now)} 前回复" if promised else "客服会尽快回复"


def summary_lines(t: Ticket) -> list[str]:
    """What was collected, one item a line."""
    lines = [f"问题: {t.title}", f"订单号: {t.order_no or '未提供'}"]
    if t.demand:
        lines.append(f"诉求: {t.demand}" + (f" ({t.demand_text})" if t.demand_text else ""))
    if t.amount is not None:
        lines.append(f"金额: {t.amount:g} 元")
    if t.details.get("evidence"):
        lines.append(f"截图/文件: {len(t.details['evidence'])} 个")
    return lines


def ticket_opened(t: Ticket, now: datetime, hours: str, starts_later: bool) -> str:
    """The confirmation a buyer gets the moment a ticket opens."""
    due = due_text(t.promised_at, now)
    head = f"工单 #{t.number} 已受理 ({t.title} · {t.demand or '待确认'}), {due}。"
    if starts_later:
        head = f"现在是非工作时间 (客服在线 {hours})。" + head
    elif t.at_risk:
        head += "\n现在咨询的人比较多, 这是按当前排队如实估算的时间, 有进展会马上通知你。"
    body = "\n".join(summary_lines(t))
    return (f"{head}\n{body}\n接下来客服会先核实订单, 每一步进展都会在这里通知你; "
            "有新情况直接发消息, 不用重复描述。信息有误可以点「修改信息」。")


def joined(t: Ticket, now: datetime) -> str:
    """A message that was added to the buyer's open ticket."""
    return (f"已补充到工单 #{t.number} (当前: {STAGE_NAMES.get(t.stage, t.stage)}), "
            f"{due_text(t.promised_at, now)}。客服回复会直接发到这里。")


def status_line(t: Ticket, now: datetime) -> str:
    """One ticket as the buyer sees it in /status."""
    stage = STAGE_NAMES.get(t.stage, t.stage)
    line = f"#{t.number} {t.title} · {t.demand or '—'}: {stage}"
    if t.is_open and t.first_reply_at is None:
        line += f", {due_text(t.promised_at, now)}"
    updated = t.updated_at or t.created_at
    return line + f" (最后更新 {format_due(updated, now)})"


def stage_push(t: Ticket, stage: str, reopen_days: int) -> str:
    """Tell the buyer their ticket moved, in plain words, with the next step."""
    return STAGE_PUSH[stage].format(no=t.number, demand=t.demand or "按你的诉求",
                                    days=reopen_days)


def status_list(lines: list[str]) -> str:
    """/status: the buyer's tickets, one a line (status_line)."""
    return "你的工单:\n" + "\n".join(lines)


def unknown_command(command: str) -> str:
    """A /command kefu does not know, then what it does know."""
    return f"不认识 /{command[:20]} 这个命令。\n" + WELCOME


def edited(t: Ticket) -> str:
    """The buyer corrected the ticket's details: all of them as they are now."""
    return f"已更新工单 #{t.number}:\n" + "\n".join(summary_lines(t))


def withdraw_offer(t: Ticket) -> str:
    """/cancel with a ticket open: the ticket stays unless the buyer withdraws it."""
    return (f"工单 #{t.number} 还在处理中。如果问题已经解决、不需要客服了, "
            "点下面的按钮撤销; 否则不用操作, 客服会继续处理。")


def withdrawn(t: Ticket) -> str:
    """The buyer withdrew their ticket."""
    return f"工单 #{t.number} 已撤销。需要帮忙随时发消息给我。"


def human_queued(t: Ticket, now: datetime) -> str:
    """/human while a ticket waits: it is already with people, and staff are nudged."""
    return (f"你的工单 #{t.number} 已在人工队列里, {due_text(t.promised_at, now)}。"
            "已提醒客服尽快处理, 回复会直接发到这里。")


def same_problem_again(t: Ticket) -> str:
    """A message sounds like a recently resolved problem came back."""
    return f"是工单 #{t.number} ({t.title}) 的问题又出现了吗?"


def reopened(t: Ticket, now: datetime) -> str:
    """The same ticket is open again."""
    return (f"工单 #{t.number} 已重新打开, {due_text(t.promised_at, now)}。之前的记录都在, "
            "不用重复描述; 客服回复会直接发到这里。")




def escalated(t: Ticket, senior: str | None, now: datetime, sorry: bool = False,
              moved: bool = True) -> str:
    """The ticket went up a tier: who follows up (sorry: after the buyer chased it); when
    nothing moved (already top tier, nobody new) it does not claim an escalation."""
    head = "非常抱歉让你一直等。" if sorry else ""
    who = f"资深客服 {senior} " if senior else "主管"
    due = f"{due_text(t.promised_at, now)}, " if t.first_reply_at is None else ""
    done = f"已升级给{who}优先处理" if moved else "已在最高优先级处理中"
    return f"{head}工单 #{t.number} {done}, {due}有进展马上通知你。"


def agent_says(name: str, text: str) -> str:
    """An agent's message relayed to the buyer, signed."""
    return f"【客服 {name}】{text}"


def claimed(t: Ticket, name: str) -> str:
    """A person has taken the ticket."""
    return f"客服 {name} 已接手工单 #{t.number}, 正在查看你的情况, 接下来由 TA 直接回复你。"


# SLA: when kefu is late it says so first, then why, the new time, and what happens next.
def sla_breached(t: Ticket, due: datetime, now: datetime, senior: str | None,
                 escalated: bool = True) -> str:
    """The promised time passed before any reply: apologise, say what changed (only if
    something did), promise a new time."""
    who = f", 由资深客服 {senior} 跟进" if senior else ""
    done = f"已升级优先处理{who}" if escalated else "已在优先处理"
    return (f"抱歉让你久等了 🙏 工单 #{t.number} 没能在承诺时间内回复, {done}。"
            f"按现在的排队重新估算, 预计 {format_due(due, now)} 前回复你, 有进展马上通知。")


def sla_slow(t: Ticket, senior: str | None, escalated: bool = True) -> str:
    """Resolution is overdue after replies: apologise and say who follows up."""
    who = f"资深客服 {senior}" if senior else "主管"
    done = f"已升级由{who}优先跟进" if escalated else "正在优先跟进"
    return (f"抱歉, 工单 #{t.number} 处理得比预期慢 🙏 {done}, "
            "有结果会第一时间在这里通知你, 不用重复发消息。")


def promise_renewed(t: Ticket, was: datetime, due: datetime, now: datetime) -> str:
    """The promised time passed with no reply: own it and give an honest new one."""
    return (f"抱歉, 没能在 {format_due(was, now)} 前回复你 🙏 前面排队的人比预计多, "
            f"工单 #{t.number} 还在排队中。重新估算后预计 {format_due(due, now)} 前回复, "
            "客服回复会直接发到这里。")


# --- channel notices -----------------------------------------------------------
NOTICE_WAIT = "好的 👌 通道一恢复我就发消息告诉你, 不用一直盯着。"
NOTICE_NEXT = "\n恢复后我会第一时间通知你。等不及或不是这个原因, 可以转人工。"


def notice_line(channel: str, text: str, until: datetime, now: datetime) -> str:
    """One channel notice: what is down, and until when (or that it is running late)."""
    if until > now:
        when = f"预计 {format_due(until, now)} 前恢复"
    else:
        when = f"原定 {format_due(until, now)} 恢复, 技术同事还在处理, 已催促跟进"
    return f"⚠️ {channel}: {text}, {when}。"


def notice_over(channel: str) -> str:
    """The all-clear for buyers who asked during a notice."""
    return (f"✅ {channel} 通道已恢复, 现在可以重新下单/充值了。"
            "之前没到账的如果还没到, 直接回复我, 我帮你转人工。")


def notice_for_ticket(t: Ticket, notice_line: str) -> str:
    """An open ticket hears about a channel notice that likely explains it."""
    return (f"关于工单 #{t.number}: 你遇到的问题可能和通道维护有关。\n{notice_line}\n"
            "工单继续保留, 恢复后会通知你; 客服也会按原计划跟进。")


# --- faults: said without the database (disk full, read-only, locked too long) ------
def store_down(retry: datetime, now: datetime) -> str:
    """The buyer's message could not even be stored: ask for it again, at a clock time."""
    return ("抱歉, 系统暂时出了故障, 这条消息没能保存, 现在也开不了工单。"
            f"请在 {format_due(retry, now)} 之后再发一次, 到时会照常处理。")


def turn_delayed(retry: datetime, now: datetime) -> str:
    """Stored, but the database refuses the turn: it is handled once the database recovers."""
    return ("消息收到了, 但系统暂时出了故障, 现在开不了工单。恢复后会按顺序自动处理, 不用重发; "
            f"如果 {format_due(retry, now)} 前还没有回复, 请再发一次。")


def clarify_kept(found: dict) -> str:
    """A bare order number (or sum) while kefu asked which problem it is."""
    said = f"订单号 {found['order_no']}" if found.get("order_no") else "这个信息"
    return f"收到{said}, 已记下, 不用再发。还需要知道是哪类问题, 请点选一个, 或用一句话说明:"
