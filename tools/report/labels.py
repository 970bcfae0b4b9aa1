"""Chart labels in Chinese and English (English is drawn when no font has the glyphs)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """A chart label in Chinese, with the English drawn when the font lacks its glyphs."""

    zh: str
    en: str


L = {
    "volume": Label("每日咨询量 (按级别)", "Daily volume by tier"),
    "count": Label("数量", "Count"),
    "bot": Label("机器人解决", "Settled by bot"),
    "left": Label("未解决离开", "Left without help"),
    "tier": Label("{} 级工单", "Tier {} tickets"),
    "first_reply": Label("首次回复时间分布", "First-reply time"),
    "minutes": Label("分钟", "Minutes"),
    "tickets": Label("工单数", "Tickets"),
    "sla": Label("SLA 目标 {} 分钟", "SLA target {} min"),
    "none": Label("无数据", "No data"),
    "eta": Label("承诺等待 vs 实际等待", "Promised vs actual wait"),
    "promised": Label("承诺等待 (分钟)", "Promised wait (min)"),
    "actual": Label("实际首次回复 (分钟)", "Actual first reply (min)"),
    "kept_line": Label("按时: 线以下", "On time: below the line"),
    "self_service": Label("机器人自助解决率", "Bot self-service rate"),
    "share": Label("自助解决率", "Self-service share"),
    "benchmark": Label("领先水平 70%", "Leading platforms 70%"),
}
CHART_TITLES = {"daily_volume": L["volume"], "first_reply": L["first_reply"], "eta": L["eta"],
                "self_service": L["self_service"]}
