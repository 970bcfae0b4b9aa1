"""Cut a normalised message into the clauses a buyer strung together.

A long message is several short ones: "卡密没到 然后充值也失败了 钱扣了两次". Each
clause reads like an FAQ example, where the whole reads like none. Pure and linear.
"""

from __future__ import annotations

import re

from intents.normalize import ORDER_TOKEN

MAX_CLAUSES = 6  # bounds the work per message; later clauses join the last one
MIN_CHARS = 4  # a shorter piece ("退款", "急急急", an order number) belongs to its neighbour
# Words that start another matter. 还有 only counts before a pause-free noun phrase would be
# too subtle: "还有就是", "另外" and the like are what buyers type between two problems.
_JOINERS = re.compile(r"还有就是|还有个事|还有一个|还有|另外|而且|并且|然后|顺便问一?下|"
                      r"顺便|以及|此外|同时|再问一?下|再就是|对了")
# Words that ask or press rather than say what happened: "帮我查一下", "退款", "什么情况",
# "急急急" alone name no problem, so such a piece joins the clause it follows.
_GENERIC = re.compile(r"麻烦|帮忙|帮我|给我|请|一下|查查|查|看看|看|处理|什么情况|啥情况|"
                      r"怎么回事|咋回事|到底|赶紧|马上|快点|快|急|尽快|谢谢|你好|在吗|"
                      r"退款|退钱|补发|重发|我要|我想|能不能|可以吗|吗|呢|啊|吧|了|的|"
                      r"你们|我|订单号|订单|单号|截图都有")
_SPACES = re.compile(r"\s+")


def weight(piece: str) -> int:
    """Characters that say what happened: not the order-number token, asks or particles."""
    return sum(ch.isalpha() for ch in _GENERIC.sub("", piece.replace(ORDER_TOKEN, "")))


def split_clauses(norm: str) -> tuple[str, ...]:
    """Clauses of a normalised message (spaces stand for its punctuation), in order."""
    pieces = [p for p in _SPACES.split(_JOINERS.sub(" ", norm)) if p]
    clauses: list[str] = []
    for piece in pieces:
        if clauses and (weight(piece) < MIN_CHARS or weight(clauses[-1]) < MIN_CHARS
                        or len(clauses) >= MAX_CLAUSES):
            clauses[-1] = f"{clauses[-1]} {piece}"
        else:
            clauses.append(piece)
    return tuple(clauses)
