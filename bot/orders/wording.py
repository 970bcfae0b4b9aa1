"""Every sentence a buyer reads about an order, in one place (pure).

Each says what kefu found, and when the buyer must wait, until when and what next.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import shift
from bot.eta import format_due
from bot.orders import RECHARGE_FAILED, Order
from bot.records import Ticket


def delivered_text(order: Order, now: datetime) -> str:
    """Where and when the code went, with its last four characters only."""
    what = f" ({order.product})" if order.product else ""
    when = f"已在 {format_due(order.delivered_at, now)} 发货" if order.delivered_at else "已发货"
    tail = f", 卡密尾号 {order.code_tail}" if order.code_tail else ""
    return f"查到了: 订单 {order.order_no}{what} {when}{tail}。"


def refund_text(order: Order, number: str, due: datetime, now: datetime) -> str:
    """The small-order promise, once the refund is asked for (by the shop or an agent)."""
    return (f"非常抱歉 🙏 订单 {order.order_no} 没能{_what_failed(order)}。这是 "
            f"{order.amount:g} 元的小额订单, 已为你申请快速退款, 1 小时内原路退回 "
            f"({format_due(due, now)} 前) 你付款的{order.pay_channel or '账户'}, 不用再操作。\n"
            f"工单 #{number} 会跟踪到退款完成, 有问题直接回复我。")


def resend_text(order: Order, number: str, now: datetime) -> str:
    """The code was sent again by the shop's own system, never through this chat."""
    soon = format_due(shift(now, timedelta(minutes=2)), now)
    return (delivered_text(order, now) + f"\n已通过商城系统重新发送卡密, {soon} 前可以在订单详情页"
            "和下单时留的邮箱/短信里查看; 为了安全, 完整卡密不会在聊天里发送。\n"
            f"这次补发记在工单 #{number}; 还是没收到的话直接回复我, 我马上转人工。")


def _what_failed(order: Order) -> str:
    return "充值成功" if order.status == RECHARGE_FAILED else "按时发货"


NOT_FOUND = ("没有查到订单 {no} 🤔 请核对一下: 订单号在「我的订单 → 订单详情」里, "
             "是 0-4 位字母加 12-24 位数字, 复制粘贴最稳。\n"
             "确认没错的话, 再发一次这个单号, 我直接帮你转人工核实。")
NOT_FOUND_AGAIN = "好的, 单号 {no} 已记下。订单系统里暂时查不到, 我转给客服人工核实:"
WHERE_CODE = ("完整卡密在「我的订单 → 订单详情 → 查看卡密」里, 也会发到下单时留的邮箱/短信; "
              "为了安全, 完整卡密不会在聊天里发送。")
DELIVERED_REFUND = "已发出的卡密要客服确认没被使用才能退款, 我帮你转专员审核:"
RESENT_TODAY = "这个订单的卡密今天已经补发过了, 我转给客服人工核实发货记录:"
RESENDS_TODAY = "今天已经为你自动补发过几次卡密了, 这个订单我转给客服人工核实发货记录:"
CHECK_BY_PERSON = "这个订单我转给客服人工核实发货记录:"
PAYING = ("订单 {no} 已付款, 正在发卡, 一般 1 分钟内完成, "
          "最晚 {due} 前会出现在订单详情页。到时还没有的话直接回复我, 我马上转人工。")
RECHARGING_UNDATED = ("订单 {no} 正在充值中。直充一般 {minutes} 分钟内到账, "
                      "预计 {due} 前到账; 到时还没到, 直接回复我, 我马上转人工优先核查。")
RECHARGING_TEXT = ("订单 {no} 正在充值中 ({paid} 付款)。直充一般 {minutes} 分钟内到账, "
                   "预计 {due} 前到账; 到时还没到, 直接回复我, 我马上转人工优先核查。")
RECHARGING_REFUND = "订单 {no} 正在充值中, 要先向上游撤销才能退款, 我帮你转专员处理:"
RECHARGE_STUCK = ("抱歉 🙏 订单 {no} 从 {paid} 开始充值, 已超过正常时间还没完成。"
                  "我转给专员向上游催查:")
RECHARGED_TEXT = "查到了: 订单 {no} 在 {at} 显示充值成功。"
RECHARGED_UNDATED = "查到了: 订单 {no} 显示充值成功。"  # the shop gave no time: none is made up
ARRIVES = ("游戏或运营商入账有时会晚 5-30 分钟, 请重新登录游戏, 核对区服和角色; "
           "话费以运营商短信为准。{due} 前还没到账的话, 直接回复我, 我帮你转人工向上游核查。")
RECHARGED_LATE = "已超过 {minutes} 分钟还没到账, 我帮你登记给专员向上游核查到账记录:"
RECHARGED_REFUND = "充值成功的订单需要专员核实后才能退款, 我帮你转过去:"
FAILED = ("非常抱歉 🙏 订单 {no} 充值失败了。钱不会丢: 我把订单信息整理好转给售后专员, "
          "按你的选择重新充值或原路退款:")
FAILED_DELIVERY = ("非常抱歉 🙏 订单 {no} 已付款, 但卡密超过正常时间还没发出。"
                   "我把订单信息整理好转给售后专员优先处理:")
DELIVERY_FAILED_TEXT = ("非常抱歉 🙏 订单 {no} 已付款, 但商城系统显示发货失败, 卡密没能发出。"
                        "钱不会丢: 我把订单信息整理好转给售后专员, 按你的选择补发或原路退款:")
NO_STOCK_TEXT = ("非常抱歉 🙏 订单 {no} 已付款, 但商品刚好缺货, 卡密没能自动发出。"
                 "钱不会丢: 我把订单信息整理好转给售后专员, 按你的选择补货发卡或原路退款:")
PART_DELIVERED_TEXT = ("订单 {no} 只发出了一部分卡密, 剩下的要客服人工补发。"
                       "我把订单信息整理好转给客服优先处理, 不用重复描述:")
PART_REFUNDED_TEXT = ("订单 {no} 显示已部分退款。退了哪部分、退到哪里要客服核对退款明细, "
                      "我把订单信息转过去, 不用重复描述:")
EXPIRED_TEXT = ("订单 {no} 已过期未支付, 没有扣款; 想要的话重新下单即可。"
                "如果确实已经扣款, 点「没解决」并发一张付款截图, 我帮你转人工核实。")
REFUNDED_TEXT = ("查到了: 订单 {no} 已在 {at} 退款, 原路退回你付款的{to}。"
                 "支付宝/微信一般 1-3 个工作日到账 (约 {latest} 前), 银行卡可能要 3-7 个工作日; "
                 "支付宝账单或微信「零钱明细」里能看到退款记录。")
# The shop recorded the refund but not when: no time or arrival date is made up for it.
REFUNDED_UNDATED_TEXT = ("查到了: 订单 {no} 显示已退款, 原路退回你付款的{to}"
                         " (商家系统里没有记录退款时间)。"
                         "支付宝/微信一般 1-3 个工作日到账, 银行卡可能要 3-7 个工作日; "
                         "支付宝账单或微信「零钱明细」里能看到退款记录。")
UNPAID_TEXT = ("订单 {no} 显示「待支付」, 我们这边还没收到付款。如果已经扣款, "
               "多半是支付通知延迟, {due} 前会自动更新; "
               "到时还没变, 点「没解决」并发一张付款截图, 我帮你转人工核实。")
UNKNOWN = "查到了订单 {no}, 它的状态需要客服人工确认, 我把订单信息转过去:"
RESEND_FAILED = "商城系统这次没能自动补发, 我转给客服人工补发:"
REFUND_FAILED = ("非常抱歉 🙏 订单 {no} 没能{what}。自动退款这次没能提交, "
                 "我转给售后专员人工退款:")


def refund_failed_text(order: Order) -> str:
    """The automatic refund request did not go through: a person takes it, nothing is lost."""
    return REFUND_FAILED.format(no=order.order_no, what=_what_failed(order))
LOOKUP_FAILED = ("订单系统暂时连不上, 查不到实时状态 🙏 我先把你的情况登记给客服人工核实, "
                 "不用重复描述:")


def approved_text(t: Ticket, due: datetime, now: datetime) -> str:
    """An agent approved the refund: on its way, and by when."""
    to = (t.details.get("order") or {}).get("pay_channel") or "账户"
    return (f"工单 #{t.number}: 退款已批准, 1 小时内原路退回你付款的{to} "
            f"({format_due(due, now)} 前)。到账后在支付宝账单或微信「零钱明细」里能看到, "
            "有问题直接回复我。")


def refund_done_text(order: Order, t: Ticket, at: datetime | None, now: datetime) -> str:
    """The shop shows the order refunded (at its refund time, when it gave one): done."""
    when = f"已在 {format_due(at, now)} 原路退款" if at else "已原路退款"
    return (f"订单 {order.order_no} {when} ✅ 支付宝/微信一般 "
            f"1-3 个工作日到账。工单 #{t.number} 已解决。")
