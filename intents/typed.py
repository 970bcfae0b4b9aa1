"""Buttons typed as words: a rating, an action, a cancel or "it arrived" in a short message.

Pure functions, text in and answer out; they never raise on any str. Each reads the whole
message: "满意" is a rating, "不满意你们的服务, 卡密还没到" is a complaint that happens to
contain one, so a message that says anything beyond the command answers None or False.
"""

from __future__ import annotations

import re

from intents.prepare import prepare

MAX_CHARS = 16  # after squeezing: longer messages are sentences, not taps
MAX_DIGITS = 6  # longer digit runs may be order numbers, which extraction reads

_NUMERALS = "零〇一二两三四五六七八九十百千万"
_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_STAR_CHARS = frozenset("⭐★☆🌟")
# Particles and courtesy that end a command without changing it ("5星吧", "撤销吧谢谢").
_TAIL = re.compile(r"(?:吧|啊|呀|哈|哦|噢|喔|啦|呢|嘛|哇|呗|一下|谢谢|谢了|哈哈)+$")
# Polite or wanting openings before a command ("我要撤销", "帮我转人工", "麻烦查下进度").
_HEAD = re.compile(r"^(?:那|那就|就|麻烦|请|帮我|我要|我想要|我想|我需要|想|要|给我)+")

_STAR_WORDS = {
    5: ("满分", "好评", "五星好评", "满意", "很满意", "非常满意", "特别满意", "十分满意",
        "超级满意", "太满意了", "很好", "非常好", "太棒了", "很棒", "超赞", "完美"),
    4: ("比较满意", "还不错", "不错", "挺好", "挺好的", "还挺好", "蛮好", "基本满意"),
    3: ("一般", "一般般", "还行", "还可以", "凑合", "马马虎虎", "普通", "中评"),
    2: ("不满意", "不太满意", "不怎么样", "较差", "比较差", "有点差", "不太好"),
    1: ("差评", "很差", "太差了", "太差", "非常差", "极差", "超级差", "很不满意", "非常不满意",
        "垃圾", "差", "很烂", "太烂了", "一星差评"),
}
_WORD_STARS = {word: n for n, words in _STAR_WORDS.items() for word in words}
# "5星", "五颗星", "打4分", "给五星好评": the count, its unit, an optional 好评/差评.
_COUNTED = re.compile(r"^(?:我)?(?:给|打)?(?:你们?)?([1-5一二两三四五])(?:颗|个)?(星|分|星星)?"
                      r"(?:好评|差评|评价)?$")

_ACTIONS = {
    "edit": ("修改信息", "修改", "改信息", "改订单号", "订单号写错了", "订单号错了",
             "订单号填错了", "单号写错了", "单号错了", "写错了", "填错了", "修改订单号",
             "修改工单", "改一下信息", "改工单", "信息填错了", "信息写错了"),
    "withdraw": ("撤销", "撤销工单", "撤回工单", "取消工单", "撤回", "撤销申请", "撤掉工单",
                 "关闭工单", "工单撤销", "工单不要了"),
    "status": ("查看进度", "查进度", "进度", "工单进度", "查询进度", "看进度", "看看进度",
               "处理进度", "查看工单", "工单状态", "查下进度", "进度如何", "进度怎么样"),
    "human": ("转人工", "人工", "人工客服", "找人工", "人工服务", "真人", "真人客服", "客服",
              "找客服", "转客服", "找真人", "转人工客服", "接人工", "联系人工", "联系客服"),
    "new": ("新问题", "是新问题", "另一个问题", "新的问题", "另外的问题", "另外一个问题",
            "别的问题", "不是补充是新问题", "是新的问题", "新问题不是补充"),
    "supplement": ("补充", "是补充", "补充工单", "补充信息", "是补充信息", "补充说明",
                   "追加信息", "是补充的", "补充内容"),
    "field:order_no": ("订单号", "单号", "订单编号"),
    "field:demand": ("诉求",),
    "field:issue": ("问题类型", "类型", "问题分类"),
}
_WORD_ACTION = {word: action for action, words in _ACTIONS.items() for word in words}

# A cancel is a message made only of these (and fillers): "算了 不用了", "好了不用了 谢谢".
_CANCEL = (r"算了|不用了|不用啦|不用|不需要了|不需要|不要了|不弄了|不办了|没事了|没事|取消|"
           r"cancel|退出|不查了|先不用了|暂时不用了|不麻烦了")
_FILLER = r"那|那就|好了|好吧|好的|嗯|哦|唉|哎|谢谢|谢了|我|吧|啊|呀|啦|了|还是|先|就"
# "It arrived": a clause that says the goods or money came.
_ARRIVED = (r"(?:已经?|都|刚|刚刚|现在|卡密|钱|货|东西|点券|余额)*"
            r"(?:收到|到账|到|充上|充好|充进去|拿到|发过来|能用|可以用)了|已收到|已到账|"
            r"收到啦|到啦|可以了")
_NOT_ARRIVED = re.compile(r"没|未|一半|部分|少|不全|还差|只|吗|不到|不能|不了|怎么")
_CANCEL_RX = re.compile(rf"(?:{_CANCEL})")
_ONLY_CANCEL = re.compile(rf"(?:{_CANCEL}|{_FILLER})+", re.IGNORECASE)
_ARRIVED_RX = re.compile(rf"(?:{_ARRIVED})")
_ONLY_ARRIVED = re.compile(rf"(?:{_ARRIVED}|{_CANCEL}|{_FILLER})+")


def _squeeze(text: str) -> str:
    """One form for a short message: half-width, simplified, lower case, no spaces or marks."""
    text = prepare(text[:200]).lower()
    return "".join(ch for ch in text if ch.isalnum())


def _short(text: str) -> str | None:
    """The squeezed message without polite ends, or None when it is too long to be a tap."""
    key = _squeeze(text)
    if not key or len(key) > MAX_CHARS * 2:
        return None
    key = _TAIL.sub("", key) or key
    return key if len(key) <= MAX_CHARS else None


def is_bare_number(text: str) -> bool:
    """The message is only a short number (digits or Chinese numerals, maybe with marks)."""
    key = _squeeze(text)
    if not key or len(key) > MAX_DIGITS:
        return False
    return (key.isascii() and key.isdigit()) or all(ch in _NUMERALS for ch in key)


def stars(text: str) -> int | None:
    """The star rating (1..5) a whole short message gives, else None."""
    raw = "".join(ch for ch in text[:40] if not ch.isspace() and ch not in "\ufe0f")
    if raw and set(raw) <= _STAR_CHARS:
        return len(raw) if len(raw) <= 5 else None  # "⭐⭐⭐⭐⭐" typed or pasted
    key = _short(text)
    if key is None:
        return None
    if key in _WORD_STARS:
        return _WORD_STARS[key]
    if key.isdigit():
        return int(key) if len(key) == 1 and 1 <= int(key) <= 5 else None
    if key in _CN_DIGIT:
        return _CN_DIGIT[key]
    counted = _COUNTED.match(key)
    if counted is None or (counted.group(2) is None and len(key) > 1):
        return None  # "给5" is not a rating; "5星", "给5星好评" are
    digit = counted.group(1)
    return int(digit) if digit.isdigit() else _CN_DIGIT[digit]


def action(text: str) -> str | None:
    """The buyer's button a whole short message names: edit, withdraw, status, human, new,
    supplement or field:<name>, else None."""
    key = _short(text)
    if key is None:
        return None
    if key in _WORD_ACTION:
        return _WORD_ACTION[key]
    bare = _HEAD.sub("", key)
    return _WORD_ACTION.get(bare) if bare else None


def cancel(text: str) -> bool:
    """The whole message calls the current step off ("算了 不用了", "取消", "退出")."""
    key = _squeeze(text)
    if not key or len(key) > MAX_CHARS:
        return False
    return bool(_CANCEL_RX.search(key)) and _ONLY_CANCEL.fullmatch(key) is not None


def received(text: str) -> bool:
    """The whole message says the problem solved itself ("已经收到了", "好了 已经充上了")."""
    key = _squeeze(text)
    if not key or len(key) > MAX_CHARS or _NOT_ARRIVED.search(key):
        return False
    if key in ("到了到了", "收到收到"):
        return True
    return bool(_ARRIVED_RX.search(key)) and _ONLY_ARRIVED.fullmatch(key) is not None
