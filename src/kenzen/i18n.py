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
    "case.ip_complaint.title": {
        "en": "Intellectual property complaint: {brand}",
        "ja": "知的財産権の侵害の申し立て: {brand}",
    },
    "entry.ip_complaint": {
        "en": (
            "We received a {kind} complaint from the owner of the brand {brand} "
            "(registration {registration}, {country}) about these listings: {listings}. "
            "This is recorded as a violation of the intellectual property policy."
        ),
        "ja": (
            "ブランド「{brand}」(登録番号 {registration}、{country})の権利者から、"
            "次の出品について{kind}の申し立てを受けました: {listings}。"
            "知的財産ポリシーの違反として記録されます。"
        ),
    },
    "entry.listings_suppressed": {
        "en": "These listings are suppressed until the matter is resolved: {listings}.",
        "ja": "問題が解決するまで、次の出品は非表示になります: {listings}。",
    },
    "entry.complaint_retracted": {
        "en": "The rights owner retracted the complaint; the violation no longer counts.",
        "ja": "権利者が申し立てを取り下げました。この違反はカウントされなくなります。",
    },
    "complaint.trademark": {"en": "trademark", "ja": "商標権侵害"},
    "complaint.copyright": {"en": "copyright", "ja": "著作権侵害"},
    "complaint.patent": {"en": "patent", "ja": "特許権侵害"},
    "complaint.counterfeit": {"en": "counterfeit", "ja": "偽造品"},
    "complaint.counterfeit_test_buy": {
        "en": "counterfeit (test buy)",
        "ja": "偽造品(テスト購入による確認)",
    },
    "case.policy.title": {"en": "Account health: {topic}", "ja": "アカウントヘルス: {topic}"},
    "entry.warning.metric": {
        "en": (
            "Warning: your {metric} is {rate} over {window_from} – {window_to}, "
            "against a target of {target}. Act now to bring it back within the target."
        ),
        "ja": (
            "警告: {window_from}～{window_to} の{metric}は {rate} で、目標 {target} を"
            "満たしていません。目標内に戻すための対応を直ちに行ってください。"
        ),
    },
    "entry.warning.rule": {
        "en": "Warning under the marketplace policy ({rule}): {detail}.",
        "ja": "マーケットプレイスのポリシー({rule})による警告: {detail}。",
    },
    "entry.restricted": {
        "en": "Your seller-fulfilled listings are restricted ({rule}): {listings}.",
        "ja": "出品者出荷の出品が制限されました({rule}): {listings}。",
    },
    "entry.deactivated_listings": {
        "en": "While the account is deactivated these listings are inactive: {listings}.",
        "ja": "アカウント停止中は次の出品が無効になります: {listings}。",
    },
    "metric.order_defect_rate_mfn": {
        "en": "order defect rate (seller-fulfilled)",
        "ja": "注文不良率(出品者出荷)",
    },
    "metric.order_defect_rate_afn": {
        "en": "order defect rate (fulfilled by the marketplace)",
        "ja": "注文不良率(マーケットプレイス出荷)",
    },
    "metric.pre_fulfillment_cancel_rate": {
        "en": "pre-fulfilment cancel rate",
        "ja": "出荷前キャンセル率",
    },
    "metric.late_shipment_rate_10d": {
        "en": "late shipment rate (10 days)",
        "ja": "出荷遅延率(10日間)",
    },
    "metric.late_shipment_rate_30d": {
        "en": "late shipment rate (30 days)",
        "ja": "出荷遅延率(30日間)",
    },
    "metric.valid_tracking_rate": {"en": "valid tracking rate", "ja": "有効な追跡率"},
    "metric.on_time_delivery_rate": {"en": "on-time delivery rate", "ja": "配達遅延なし率"},
    "case.screening.title": {"en": "Brand check of your listings", "ja": "出品のブランド確認"},
    "screening.NO_BRAND_NAMES_TERM": {
        "en": (
            '{sku} ({listing}): the brand is empty or "no brand", but the {field} contains '
            '"{matched}", the registered brand {brand} ({registration}, {country}). '
            "Check the product: if it is {brand}, you need the right to sell it."
        ),
        "ja": (
            "{sku}({listing}): ブランドが空欄または「ノーブランド」ですが、{field}に登録商標"
            "「{brand}」({registration}、{country})にあたる「{matched}」が含まれています。"
            "商品を確認し、{brand}の商品であれば販売する権利が必要です。"
        ),
    },
    "screening.BRAND_OF_ANOTHER_OWNER": {
        "en": (
            '{sku} ({listing}): the brand field "{matched}" is the registered brand '
            "{brand} ({registration}, {country}) of another owner. "
            "Sell it only with the owner's authorisation."
        ),
        "ja": (
            "{sku}({listing}): ブランド欄の「{matched}」は他者の登録商標「{brand}」"
            "({registration}、{country})です。権利者の許諾がある場合のみ販売してください。"
        ),
    },
    "entry.appeal_received": {
        "en": (
            "We received your Plan of Action (version {version}). An Account Specialist "
            "will review it, usually within two days."
        ),
        "ja": (
            "改善計画書(第{version}版)を受け付けました。アカウントスペシャリストが"
            "通常2日以内に審査します。"
        ),
    },
    "entry.appeal_accepted": {
        "en": "Your Plan of Action was accepted. Your account is reinstated. {reasons}",
        "ja": "改善計画書が承認され、アカウントが再開されました。{reasons}",
    },
    "entry.appeal_rejected": {
        "en": "Your Plan of Action was not accepted. Reasons: {reasons} You may submit again.",
        "ja": "改善計画書は承認されませんでした。理由: {reasons} 再提出できます。",
    },
    "entry.more_info": {
        "en": "More information is needed: {reasons} Please answer by {deadline}.",
        "ja": "判断の前に追加情報が必要です: {reasons} {deadline} までにご回答ください。",
    },
    "entry.listings_restored": {
        "en": "These listings are active again: {listings}.",
        "ja": "次の出品が再び有効になりました: {listings}。",
    },
    "case.callback.title": {
        "en": "Call from Account Health Support",
        "ja": "アカウントヘルスサポートからの電話",
    },
    "entry.callback_booked": {
        "en": (
            "Account Health Support will call {phone} on {time}. The call explains why a "
            "Plan of Action is needed and how to write it; it does not decide your case."
        ),
        "ja": (
            "アカウントヘルスサポートが {time} に {phone} へお電話します。改善計画書が必要な"
            "理由と書き方をご説明します。電話の内容が審査結果を左右することはありません。"
        ),
    },
    "entry.callback_cancelled": {
        "en": "The call on {time} is cancelled.",
        "ja": "{time} のお電話はキャンセルされました。",
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
    "mail.subject": {
        "en": "{title} (case {case_id})",
        "ja": "{title}(ケース {case_id})",
    },
    "verify.GENUINE": {
        "en": "Genuine: this notice was sent by the marketplace and is in your case log.",
        "ja": "本物です: この通知はマーケットプレイスから送信され、ケースログに記録されています。",
    },
    "verify.SUSPICIOUS": {
        "en": "Suspicious: do not follow its links or answer it. Reasons:",
        "ja": "不審なメールです。リンクを開いたり返信したりしないでください。理由:",
    },
    "verify.UNREADABLE": {
        "en": "The message has no readable {detail} address.",
        "ja": "メッセージに読み取れる {detail} アドレスがありません。",
    },
    "verify.NO_SIGNATURE": {
        "en": "It carries no DKIM signature; every genuine notice is signed.",
        "ja": "DKIM 署名がありません。本物の通知には必ず署名があります。",
    },
    "verify.SIGNATURE_INVALID": {
        "en": (
            "The signature ({detail}) does not verify with the marketplace's key: the message "
            "was changed after signing, or signed with another key."
        ),
        "ja": (
            "署名({detail})がマーケットプレイスの鍵で検証できません。署名後に内容が変更されたか、"
            "別の鍵で署名されています。"
        ),
    },
    "verify.SIGNED_BY_OTHER_DOMAIN": {
        "en": "It is signed by {detail}, not with the marketplace's own key.",
        "ja": "署名者は {detail} で、マーケットプレイス自身の鍵ではありません。",
    },
    "verify.SIGNATURE_INCOMPLETE": {
        "en": "The signature ({detail}) does not cover the whole message.",
        "ja": "署名({detail})がメッセージ全体を対象としていません。",
    },
    "verify.DOMAIN_NOT_ALIGNED": {
        "en": "The signing domain does not match the sender's domain {detail}.",
        "ja": "署名ドメインが送信者のドメイン {detail} と一致しません。",
    },
    "verify.DUPLICATE_HEADER": {
        "en": "The message has more than one {detail} header.",
        "ja": "メッセージに {detail} ヘッダーが複数あります。",
    },
    "verify.SENDER_NOT_MARKETPLACE": {
        "en": "The sender's domain {detail} is not the marketplace's sending domain.",
        "ja": "送信者のドメイン {detail} はマーケットプレイスの送信ドメインではありません。",
    },
    "verify.DISPLAY_NAME_IMITATION": {
        "en": 'The sender name "{detail}" imitates the marketplace\'s sender.',
        "ja": "送信者名「{detail}」はマーケットプレイスの送信者を装っています。",
    },
    "verify.LOOKALIKE_PUNYCODE": {
        "en": "The domain {detail} uses characters from other scripts (punycode).",
        "ja": "ドメイン {detail} は他の文字体系の文字(punycode)を使っています。",
    },
    "verify.LOOKALIKE_HOMOGLYPH": {
        "en": "The domain {detail} imitates the marketplace's domain with look-alike characters.",
        "ja": "ドメイン {detail} は似た文字でマーケットプレイスのドメインを装っています。",
    },
    "verify.LOOKALIKE_EXTRA_WORDS": {
        "en": "The domain {detail} adds words to the marketplace's name; it is another domain.",
        "ja": "ドメイン {detail} はマーケットプレイス名に語を加えた別のドメインです。",
    },
    "verify.FOREIGN_LINK": {
        "en": "It links to {detail}, which is not the marketplace's.",
        "ja": "マーケットプレイスのものではない {detail} へのリンクがあります。",
    },
    "verify.NO_NOTICE_ID": {
        "en": "It carries no notice id; every genuine notice has one.",
        "ja": "通知番号がありません。本物の通知には必ず通知番号があります。",
    },
    "verify.NOTICE_NOT_FOUND": {
        "en": "No notice {detail} was sent to your account.",
        "ja": "通知番号 {detail} の通知はあなたのアカウントに送信されていません。",
    },
    "page.verify": {"en": "Verify a notice", "ja": "通知の確認"},
    "page.verify_intro": {
        "en": (
            'Received a mail about your account? Save it from your mail program ("show '
            'original" or "save as .eml") and paste or upload the whole message here.'
        ),
        "ja": (
            "アカウントに関するメールを受け取りましたか? メールソフトで「メッセージの"
            "ソースを表示」または「.eml で保存」し、メッセージ全体をここに貼り付けるか"
            "アップロードしてください。"
        ),
    },
    "page.verify_paste": {"en": "The whole message", "ja": "メッセージ全体"},
    "page.verify_upload": {
        "en": "Or upload an .eml file",
        "ja": "または .eml ファイルをアップロード",
    },
    "page.verify_submit": {"en": "Check", "ja": "確認する"},
    "page.verify_entry": {
        "en": "The matching entry in your case log",
        "ja": "ケースログの該当エントリ",
    },
    "page.verify_from": {"en": "From", "ja": "送信者"},
    "page.verify_expected": {"en": "Genuine sender", "ja": "本物の送信者"},
}


def t(key: str, language: str, **values: object) -> str:
    """The message ``key`` in ``language`` (English when the language is not supported)."""
    texts = MESSAGES[key]
    return texts.get(language, texts["en"]).format(**values)
