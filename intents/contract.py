"""The intent ids of docs/intents.md: the contract between FAQ, matcher and tickets."""

CONTRACT_IDS = (
    "card_not_received", "card_invalid", "card_usage", "recharge_failed", "recharge_delayed",
    "recharge_wrong_account", "payment_no_order", "duplicate_charge", "refund_request",
    "refund_progress", "order_status", "account_stolen", "large_order_abnormal",
    "account_frozen", "balance_issue", "product_inquiry", "channel_maintenance",
    "bulk_purchase", "ticket_progress", "contact_human", "complaint", "business_hours",
    "greeting", "thanks", "goodbye", "none",
)
