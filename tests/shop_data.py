"""The three shop systems' tables, as their install scripts make them, filled with orders in
every status, and the read-only users a shop owner would create for kefu.

Columns and types follow dujiaoka's database/sql/install.sql, acg-faka's
kernel/Install/Install.sql (prefix acg_) and Dujiao-Next's GORM models; columns kefu
never reads are kept where they shape the table. FULL_CODES lists every card code
stored: none may ever reach kefu's process whole.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pymysql

from tests.shop_servers import Server

RO_USER, RO_PASSWORD = "kefu_ro", "ro-Secret-1"
VIEW_USER, VIEW_PASSWORD = "kefu_view", "view-Secret-2"
FULL_CODES = ("AAAA-BBBB-CCCC-1111", "DDDD-EEEE-FFFF-WXYZ", "CRLF-ONE-1234", "CRLF-TWO-5678",
              "ACG-CARD-0001-TAIL", "ACG-CARD-0002-LAST", "DNX-CODE-AAAA-1111",
              "DNX-CODE-BBBB-ZZ99", "DNX-HALF-CCCC-7777", "DNX-KIDS-DDDD-4242")

DUJIAOKA_SQL = """
CREATE TABLE pays (
  id int(10) NOT NULL AUTO_INCREMENT, pay_name varchar(200) NOT NULL,
  pay_check varchar(50) DEFAULT NULL, pay_method tinyint(1) NOT NULL DEFAULT 1,
  pay_client tinyint(1) NOT NULL DEFAULT 1, merchant_id varchar(200) DEFAULT NULL,
  merchant_key text, merchant_pem text, pay_handleroute varchar(200) NOT NULL DEFAULT '',
  is_open tinyint(1) NOT NULL DEFAULT 1, created_at timestamp NULL, updated_at timestamp NULL,
  deleted_at timestamp NULL, PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE orders (
  id bigint(20) NOT NULL AUTO_INCREMENT,
  order_sn varchar(150) CHARACTER SET utf8 COLLATE utf8_unicode_ci NOT NULL,
  goods_id int(11) NOT NULL, coupon_id int(11) DEFAULT 0,
  title varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
  type tinyint(1) NOT NULL DEFAULT 1, goods_price decimal(10,2) NOT NULL DEFAULT 0.00,
  buy_amount int(11) NOT NULL DEFAULT 1,
  coupon_discount_price decimal(10,2) NOT NULL DEFAULT 0.00,
  wholesale_discount_price decimal(10,2) NOT NULL DEFAULT 0.00,
  total_price decimal(10,2) NOT NULL DEFAULT 0.00,
  actual_price decimal(10,2) NOT NULL DEFAULT 0.00,
  search_pwd varchar(200) CHARACTER SET utf8 COLLATE utf8_unicode_ci DEFAULT '',
  email varchar(200) CHARACTER SET utf8 COLLATE utf8_unicode_ci NOT NULL,
  info text CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, pay_id int(11) DEFAULT NULL,
  buy_ip varchar(50) CHARACTER SET utf8 COLLATE utf8_unicode_ci NOT NULL,
  trade_no varchar(200) CHARACTER SET utf8 COLLATE utf8_unicode_ci DEFAULT '',
  status tinyint(1) NOT NULL DEFAULT 1, coupon_ret_back tinyint(1) NOT NULL DEFAULT 0,
  created_at timestamp NULL, updated_at timestamp NULL, deleted_at timestamp NULL,
  PRIMARY KEY (id), UNIQUE KEY idx_order_sn (order_sn), KEY idex_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8_unicode_ci;
CREATE VIEW kefu_card_tails AS SELECT order_sn AS order_no,
  RIGHT(RTRIM(TRIM(TRAILING '\\n' FROM RTRIM(REPLACE(info, '\\r', '')))), 4) AS tail
  FROM orders WHERE type = 1;
"""
# (order_sn, status, type, title, price, email, search_pwd, info, deleted)
DUJIAOKA_ORDERS = (
    ("DJKDELIVERED0001", 4, 1, "王者荣耀 60 点券 x 2", 30, "buyer@qq.com", "pw123",
     "AAAA-BBBB-CCCC-1111\nDDDD-EEEE-FFFF-WXYZ\n\n", False),
    ("DJKUNPAID0000002", 1, 1, "腾讯视频月卡 x 1", 25, "a@163.com", "", None, False),
    ("DJKPENDING000003", 2, 1, "网易云音乐年卡 x 1", 88, "b@163.com", "", None, False),
    ("DJKPROCESS000004", 3, 2, "话费代充 x 1", 100, "c@163.com", "", "充值号码: 13800138000",
     False),
    ("DJKFAILED0000005", 5, 1, "爱奇艺周卡 x 1", 20, "d@qq.com", "", None, False),
    ("DJKNOSTOCK000006", 6, 1, "Steam 50 元卡 x 1", 20, "e@qq.com", "", None, False),
    ("DJKEXPIRED000007", -1, 1, "优酷月卡 x 1", 15, "f@qq.com", "", None, False),
    ("DJKMANUAL0000008", 4, 2, "游戏代充 x 1", 60, "g@qq.com", "", "游戏账号: 99887766",
     False),
    ("DJKDELETED000009", 4, 1, "已删除 x 1", 10, "h@qq.com", "", "AAAA-BBBB-CCCC-1111", True),
    ("DJKCRLF000000010", 4, 1, "B 站大会员 x 2", 40, "i@qq.com", "",
     "CRLF-ONE-1234\r\nCRLF-TWO-5678 \r\n", False),
)

ACGFAKA_SQL = """
CREATE TABLE acg_pay (
  id int UNSIGNED NOT NULL AUTO_INCREMENT, name varchar(16) NOT NULL, icon varchar(255),
  code varchar(32) NOT NULL, commodity tinyint UNSIGNED NOT NULL DEFAULT 0,
  recharge tinyint UNSIGNED NOT NULL DEFAULT 0, create_time datetime NOT NULL,
  handle varchar(64) NOT NULL, sort smallint UNSIGNED NOT NULL DEFAULT 0,
  equipment tinyint UNSIGNED NOT NULL DEFAULT 0, PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE acg_commodity (
  id int UNSIGNED NOT NULL AUTO_INCREMENT, category_id int UNSIGNED NOT NULL DEFAULT 0,
  name varchar(255) NOT NULL, price decimal(10,2) UNSIGNED NOT NULL DEFAULT 0.00,
  status tinyint UNSIGNED NOT NULL DEFAULT 1, create_time datetime NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE acg_order (
  id int UNSIGNED NOT NULL AUTO_INCREMENT, owner int UNSIGNED NOT NULL DEFAULT 0,
  user_id int UNSIGNED NOT NULL DEFAULT 0, trade_no char(19) NOT NULL,
  amount decimal(10,2) UNSIGNED NOT NULL, commodity_id int UNSIGNED NOT NULL,
  card_id int UNSIGNED NULL, card_num int UNSIGNED NOT NULL DEFAULT 0,
  pay_id int UNSIGNED NOT NULL, create_time datetime NOT NULL, create_ip varchar(64) NOT NULL,
  create_device tinyint UNSIGNED NOT NULL, pay_time datetime NULL,
  status tinyint UNSIGNED NOT NULL DEFAULT 0, secret longtext NULL, password varchar(32) NULL,
  contact varchar(32) NULL, delivery_status tinyint UNSIGNED NOT NULL DEFAULT 0,
  pay_url varchar(1024) NULL, widget text NULL, race varchar(32) NULL, sku json DEFAULT NULL,
  PRIMARY KEY (id), UNIQUE KEY trade_no (trade_no), KEY contact (contact)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
"""
# (trade_no, status, delivery_status, amount, contact, password, secret)
ACGFAKA_ORDERS = (
    ("100241122153012345", 1, 1, 30, "13800138000", "qq123",
     "ACG-CARD-0001-TAIL\nACG-CARD-0002-LAST"),
    ("100241122153012346", 1, 0, 20, "buyer@qq.com", "", None),
    ("100241122153012347", 0, 0, 15, "12345678", "", None),
)

DUJIAO_NEXT_SQL = """
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE,
  password_hash text NOT NULL DEFAULT '', created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (
  id bigserial PRIMARY KEY, order_no text NOT NULL UNIQUE, parent_id bigint,
  user_id bigint NOT NULL DEFAULT 0, guest_email text, guest_password varchar(200),
  guest_locale varchar(20), status text NOT NULL, currency text NOT NULL DEFAULT 'CNY',
  original_amount decimal(20,2) NOT NULL DEFAULT 0, total_amount decimal(20,2) NOT NULL
  DEFAULT 0, refunded_amount decimal(20,2) NOT NULL DEFAULT 0, expires_at timestamptz,
  paid_at timestamptz, canceled_at timestamptz, created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz);
CREATE TABLE order_items (
  id bigserial PRIMARY KEY, order_id bigint NOT NULL, product_id bigint NOT NULL DEFAULT 0,
  title_json json, quantity int NOT NULL DEFAULT 1, unit_price decimal(20,2) NOT NULL DEFAULT 0,
  fulfillment_type text NOT NULL DEFAULT 'auto', created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE fulfillments (
  id bigserial PRIMARY KEY, order_id bigint NOT NULL UNIQUE, type text NOT NULL DEFAULT 'auto',
  status text NOT NULL, payload text, delivery_data json, delivered_by bigint,
  delivered_at timestamptz, created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz);
CREATE VIEW kefu_card_tails AS SELECT o.order_no, right(rtrim(f.payload, E' \\t\\r\\n'), 4) AS tail
  FROM orders o JOIN fulfillments f ON f.order_id = o.id;
"""
# (order_no, status, amount, payload) -- every order's first item is "Netflix 月卡".
DUJIAO_NEXT_ORDERS = (
    ("DN202602110001", "pending_payment", 30, None),
    ("DN202602110002", "paid", 30, None),
    ("DN202602110003", "fulfilling", 30, None),
    ("DN202602110004", "partially_delivered", 60, "DNX-HALF-CCCC-7777"),
    ("DN202602110005", "delivered", 30, "DNX-CODE-AAAA-1111\nDNX-CODE-BBBB-ZZ99\n"),
    ("DN202602110006", "completed", 30, "DNX-CODE-AAAA-1111"),
    ("DN202602110007", "partially_refunded", 60, None),
    ("DN202602110008", "refunded", 30, None),
    ("DN202602110009", "canceled", 30, None),
)
DN_PARENT, DN_CHILD, DN_MEMBER = "DN202602110010", "DN202602110011", "DN202602110012"


def mysql_admin(server: Server, database: str | None = None) -> pymysql.Connection:
    """A root connection over the socket."""
    return pymysql.connect(unix_socket=f"{server.socket_dir}/mysqld.sock", user="root",
                           database=database, autocommit=True, charset="utf8mb4")


def pg_admin(server: Server, database: str = "postgres") -> psycopg.Connection[Any]:
    """A superuser connection over the socket."""
    return psycopg.connect(host=server.socket_dir, port=server.port, user="postgres",
                           dbname=database, autocommit=True)


def fill_mysql(server: Server) -> None:
    """dujiaoka and acg-faka databases, their orders, and the read-only users."""
    with mysql_admin(server) as conn, conn.cursor() as cur:
        for db, script in (("dujiaoka", DUJIAOKA_SQL), ("acgfaka", ACGFAKA_SQL)):
            cur.execute(f"CREATE DATABASE {db} CHARACTER SET utf8mb4")
            cur.execute(f"USE {db}")
            for statement in filter(str.strip, script.split(";")):
                cur.execute(statement)
        _dujiaoka_rows(cur)
        _acgfaka_rows(cur)
        for user, password in ((RO_USER, RO_PASSWORD), (VIEW_USER, VIEW_PASSWORD)):
            cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
        for table in ("dujiaoka.orders", "dujiaoka.pays", "acgfaka.acg_order",
                      "acgfaka.acg_commodity", "acgfaka.acg_pay"):
            cur.execute(f"GRANT SELECT ON {table} TO '{RO_USER}'@'%'")
        # The careful shop: every column but the codes, and the tails through a view.
        cur.execute("GRANT SELECT (order_sn, status, type, title, actual_price, email, "
                    "search_pwd, updated_at, pay_id, deleted_at) ON dujiaoka.orders "
                    f"TO '{VIEW_USER}'@'%'")
        for table in ("dujiaoka.pays", "dujiaoka.kefu_card_tails"):
            cur.execute(f"GRANT SELECT ON {table} TO '{VIEW_USER}'@'%'")


def _dujiaoka_rows(cur: Any) -> None:
    cur.execute("INSERT INTO dujiaoka.pays (id, pay_name, pay_check) VALUES "
                "(1, '支付宝', 'alipay'), (2, '微信', 'wepay')")
    for sn, status, kind, title, price, email, pwd, info, deleted in DUJIAOKA_ORDERS:
        cur.execute(
            "INSERT INTO dujiaoka.orders (order_sn, goods_id, title, type, goods_price, "
            "total_price, actual_price, search_pwd, email, info, pay_id, buy_ip, status, "
            "created_at, updated_at, deleted_at) VALUES (%s, 1, %s, %s, %s, %s, %s, %s, %s, "
            "%s, 1, '127.0.0.1', %s, '2026-11-23 13:50:00', '2026-11-23 13:51:00', %s)",
            (sn, title, kind, price, price, price, pwd, email, info, status,
             "2026-11-23 14:00:00" if deleted else None))


def _acgfaka_rows(cur: Any) -> None:
    cur.execute("INSERT INTO acgfaka.acg_pay (id, name, code, create_time, handle) VALUES "
                "(1, '余额', '#system', NOW(), '#system'), (2, '支付宝', 'alipay', NOW(), 'Epay')")
    cur.execute("INSERT INTO acgfaka.acg_commodity (id, name, create_time) VALUES "
                "(1, '网易云音乐月卡', NOW())")
    for trade_no, status, delivered, amount, contact, pwd, secret in ACGFAKA_ORDERS:
        cur.execute(
            "INSERT INTO acgfaka.acg_order (trade_no, amount, commodity_id, card_num, pay_id, "
            "create_time, create_ip, create_device, pay_time, status, secret, password, "
            "contact, delivery_status) VALUES (%s, %s, 1, 1, 2, '2026-11-23 13:49:00', "
            "'127.0.0.1', 0, %s, %s, %s, %s, %s, %s)",
            (trade_no, amount, "2026-11-23 13:50:00" if status else None, status, secret,
             pwd or None, contact, delivered))


def fill_postgres(server: Server) -> None:
    """The Dujiao-Next database, its orders, and the read-only user."""
    with pg_admin(server) as conn:
        conn.execute("CREATE DATABASE dujiao_next")
    with pg_admin(server, "dujiao_next") as conn:
        conn.execute(DUJIAO_NEXT_SQL)
        conn.execute("INSERT INTO users (id, email) VALUES (7, 'member@example.com')")
        for no, status, amount, payload in DUJIAO_NEXT_ORDERS:
            _dn_order(conn, no, status, amount, payload, "guest@example.com")
        parent = _dn_order(conn, DN_PARENT, "delivered", 50, None, "guest@example.com",
                           item=False)
        _dn_order(conn, DN_CHILD, "delivered", 50, "DNX-KIDS-DDDD-4242", "guest@example.com",
                  parent=parent)
        _dn_order(conn, DN_MEMBER, "paid", 30, None, "", user=7)
        conn.execute(f"CREATE USER {RO_USER} PASSWORD '{RO_PASSWORD}'")
        conn.execute(f"GRANT SELECT ON orders, order_items, fulfillments TO {RO_USER}")
        conn.execute(f"GRANT SELECT (id, email) ON users TO {RO_USER}")


def _dn_order(conn: psycopg.Connection[Any], no: str, status: str, amount: int,
              payload: str | None, email: str, item: bool = True, parent: int | None = None,
              user: int = 0) -> int:
    paid = None if status in ("pending_payment", "canceled") else "2026-11-23 05:50:00+00"
    row = conn.execute(
        "INSERT INTO orders (order_no, parent_id, user_id, guest_email, guest_password, "
        "status, total_amount, paid_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
        "'2026-11-23 05:52:00+00') RETURNING id",
        (no, parent, user, email, "guest-pass-1234" if email else "", status, amount,
         paid)).fetchone()
    assert row is not None
    if item:
        conn.execute("INSERT INTO order_items (order_id, title_json) VALUES (%s, %s)",
                     (row[0], '{"zh-CN": "Netflix 月卡", "en-US": "Netflix monthly"}'))
    if payload is not None:
        conn.execute("INSERT INTO fulfillments (order_id, status, payload, delivered_at) "
                     "VALUES (%s, 'delivered', %s, '2026-11-23 05:51:00+00')",
                     (row[0], payload))
    return int(row[0])
