"""Seller-facing text in Japanese and English, kept in one catalogue."""

from __future__ import annotations

from typing import Final

SUPPORTED: Final = ("ja", "en")

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "case.account_status.title": {
        "en": "Account status: {status}",
        "ja": "アカウントの状態: {status}",
    },
    "entry.account_status": {
        "en": "Your account status changed from {previous} to {current}. Reason: {reason}",
        "ja": "アカウントの状態が {previous} から {current} に変わりました。理由: {reason}",
    },
    "status.NORMAL": {"en": "Normal", "ja": "正常"},
    "status.AT_RISK": {"en": "At risk", "ja": "リスクあり"},
    "status.DEACTIVATED": {"en": "Deactivated", "ja": "停止"},
    "status.NORMAL.meaning": {
        "en": "Your account is in good standing.",
        "ja": "アカウントは良好な状態です。",
    },
    "status.AT_RISK.meaning": {
        "en": "Your account is at risk of deactivation. Review the open cases and act on them.",
        "ja": "アカウントは停止のおそれがあります。未解決のケースを確認し、対応してください。",
    },
    "status.DEACTIVATED.meaning": {
        "en": "Your account is deactivated. Read the case and submit a Plan of Action to appeal.",
        "ja": (
            "アカウントは停止されています。"
            "ケースを確認し、改善計画書を提出して異議を申し立ててください。"
        ),
    },
    "page.title": {"en": "Kenzen Account Health", "ja": "Kenzen アカウントヘルス"},
    "page.login": {"en": "Log in", "ja": "ログイン"},
    "page.logout": {"en": "Log out", "ja": "ログアウト"},
    "page.email": {"en": "Email", "ja": "メールアドレス"},
    "page.password": {"en": "Password", "ja": "パスワード"},
    "page.login_failed": {
        "en": "Wrong email or password.",
        "ja": "メールアドレスまたはパスワードが正しくありません。",
    },
    "page.account_status": {"en": "Account status", "ja": "アカウントの状態"},
    "page.cases": {"en": "Cases", "ja": "ケース"},
    "page.no_cases": {"en": "No cases.", "ja": "ケースはありません。"},
    "page.case": {"en": "Case", "ja": "ケース"},
    "page.case_status": {"en": "Status", "ja": "状態"},
    "page.updated": {"en": "Updated", "ja": "更新日時"},
    "page.signed_in_as": {
        "en": "Signed in as {email} ({role})",
        "ja": "{email}({role})でログイン中",
    },
    "page.staff_intro": {
        "en": "The staff console is not built yet; use the API described at /openapi.json.",
        "ja": "スタッフ用コンソールは準備中です。/openapi.json の API をご利用ください。",
    },
}


def t(key: str, language: str, **values: object) -> str:
    """The message ``key`` in ``language`` (English when the language is not supported)."""
    texts = MESSAGES[key]
    return texts.get(language, texts["en"]).format(**values)
