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
    "rule.caps.ip_complaints": {
        "en": "limit of intellectual property complaints reached",
        "ja": "知的財産権の申し立てが上限に達しました",
    },
    "rule.caps.restricted_products": {
        "en": "limit of restricted product violations reached",
        "ja": "制限対象商品の違反が上限に達しました",
    },
    "rule.rating.bands.AT_RISK": {
        "en": "Account Health Rating at risk",
        "ja": "アカウント健全性評価がリスクあり",
    },
    "rule.rating.bands.UNHEALTHY": {
        "en": "Account Health Rating unhealthy",
        "ja": "アカウント健全性評価が不良",
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
    "ui.skip": {"en": "Skip to the content", "ja": "本文へ移動"},
    "ui.menu": {"en": "Menu", "ja": "メニュー"},
    "ui.menu.health": {"en": "Account Health", "ja": "アカウントヘルス"},
    "ui.menu.cases": {"en": "Cases", "ja": "ケース"},
    "ui.menu.callback": {"en": "Callback", "ja": "電話サポート"},
    "ui.menu.callbacks": {"en": "Callback queue", "ja": "コールバック一覧"},
    "ui.menu.queue": {"en": "Review queue", "ja": "審査キュー"},
    "ui.menu.sellers": {"en": "Seller search", "ja": "出品者検索"},
    "ui.menu.rights": {"en": "Brands and complaints", "ja": "ブランドと申し立て"},
    "ui.menu.audit": {"en": "Audit log", "ja": "監査ログ"},
    "ui.role.seller": {"en": "seller", "ja": "出品者"},
    "ui.role.rights_owner": {"en": "rights owner", "ja": "権利者"},
    "ui.role.ahs_agent": {"en": "Account Health Support", "ja": "アカウントヘルスサポート"},
    "ui.role.account_specialist": {"en": "Account Specialist", "ja": "アカウントスペシャリスト"},
    "ui.role.admin": {"en": "administrator", "ja": "管理者"},
    "ui.role.system": {"en": "system", "ja": "システム"},
    "ui.author.seller": {"en": "Seller", "ja": "出品者"},
    "ui.author.rights_owner": {"en": "Rights owner", "ja": "権利者"},
    "ui.author.ahs_agent": {"en": "Account Health Support", "ja": "アカウントヘルスサポート"},
    "ui.author.account_specialist": {"en": "Account Specialist", "ja": "アカウントスペシャリスト"},
    "ui.author.admin": {"en": "Administrator", "ja": "管理者"},
    "ui.author.system": {"en": "Marketplace", "ja": "マーケットプレイス"},
    "ui.internal.ahs": {"en": "AHS only", "ja": "AHS内部"},
    "ui.internal.seller_performance": {"en": "Seller Performance only", "ja": "審査部門内部"},
    "ui.error.403": {"en": "Not allowed", "ja": "権限がありません"},
    "ui.error.404": {"en": "Not found", "ja": "見つかりません"},
    "ui.error.409": {"en": "Not possible now", "ja": "現在は実行できません"},
    "ui.error.422": {"en": "Please check your input", "ja": "入力内容をご確認ください"},
    "ui.back_home": {"en": "Back to the start page", "ja": "トップページへ戻る"},
    "ui.rating": {"en": "Account Health Rating", "ja": "アカウント健全性評価"},
    "ui.rating_of": {"en": "Rating {value} of 1000: {band}", "ja": "評価 {value}/1000: {band}"},
    "ui.band.HEALTHY": {"en": "Healthy", "ja": "良好"},
    "ui.band.AT_RISK": {"en": "At risk", "ja": "リスクあり"},
    "ui.band.UNHEALTHY": {"en": "Unhealthy", "ja": "不良"},
    "ui.band_scale": {
        "en": "0–99 unhealthy · 100–199 at risk · 200 and above healthy",
        "ja": "0～99 不良 · 100～199 リスクあり · 200以上 良好",
    },
    "ui.rating_lines": {"en": "Where every point comes from", "ja": "評価の内訳"},
    "ui.metrics": {"en": "Performance metrics", "ja": "パフォーマンス指標"},
    "ui.as_of": {"en": "as of {day}", "ja": "{day} 時点"},
    "ui.no_metrics": {"en": "No metrics yet.", "ja": "指標はまだありません。"},
    "ui.metric_status.GOOD": {"en": "On target", "ja": "目標達成"},
    "ui.metric_status.BAD": {"en": "Off target", "ja": "目標未達"},
    "ui.metric_status.NONE": {"en": "No orders", "ja": "注文なし"},
    "ui.target.LESS_THAN": {"en": "Target: under {value}", "ja": "目標: {value} 未満"},
    "ui.target.GREATER_THAN": {"en": "Target: over {value}", "ja": "目標: {value} 超"},
    "ui.trend_of": {"en": "90-day trend of the {metric}", "ja": "{metric}の90日間の推移"},
    "ui.violations": {"en": "Policy violations", "ja": "ポリシー違反"},
    "ui.no_violations": {"en": "No active violations.", "ja": "有効な違反はありません。"},
    "ui.points": {"en": "−{points} points", "ja": "−{points} ポイント"},
    "ui.what_to_do": {"en": "What to do:", "ja": "対応方法:"},
    "ui.case_status.OPEN": {"en": "Open", "ja": "対応待ち"},
    "ui.unread": {"en": "Unread", "ja": "未読"},
    "ui.new": {"en": "New", "ja": "新着"},
    "ui.case_status.AWAITING_SELLER": {"en": "Waiting for you", "ja": "出品者の回答待ち"},
    "ui.case_status.UNDER_REVIEW": {"en": "Under review", "ja": "審査中"},
    "ui.case_status.RESOLVED": {"en": "Resolved", "ja": "解決済み"},
    "ui.case_status.CLOSED": {"en": "Closed", "ja": "終了"},
    "ui.deadline": {"en": "Deadline", "ja": "期限"},
    "ui.timeline": {"en": "Timeline (newest first)", "ja": "経過(新しい順)"},
    "ui.no_entries": {"en": "No entries yet.", "ja": "記録はまだありません。"},
    "ui.write_plan": {"en": "Plan of Action", "ja": "改善計画書"},
    "ui.book_call": {"en": "Book a call", "ja": "電話を予約"},
    "ui.guidance": {"en": "What to explain on the call", "ja": "電話で説明すること"},
    "ui.guidance_why": {"en": "Why a plan is needed", "ja": "改善計画書が必要な理由"},
    "ui.guidance_how": {"en": "How to write it", "ja": "書き方のポイント"},
    "ui.guidance_after": {"en": "What happens next", "ja": "提出後の流れ"},
    "ui.plan": {"en": "Plan of Action", "ja": "改善計画書"},
    "ui.plan_intro": {
        "en": (
            "For each violation: the root cause, what you already did, and what keeps it "
            "from happening again. The checker on the right reads along as you write."
        ),
        "ja": (
            "違反ごとに、根本原因・実施した対策・再発防止策を書いてください。"
            "右側のチェッカーが入力に合わせて確認します。"
        ),
    },
    "ui.appeal_status": {"en": "Appeal", "ja": "申し立て"},
    "ui.appeal.DRAFT": {"en": "Draft", "ja": "下書き"},
    "ui.appeal.SUBMITTED": {"en": "Submitted", "ja": "提出済み"},
    "ui.appeal.UNDER_REVIEW": {"en": "Under review", "ja": "審査中"},
    "ui.appeal.ACCEPTED": {"en": "Accepted", "ja": "承認"},
    "ui.appeal.REJECTED": {"en": "Not accepted", "ja": "不承認"},
    "ui.appeal.MORE_INFO_REQUESTED": {"en": "More information needed", "ja": "追加情報が必要"},
    "ui.version": {"en": "version {number}", "ja": "第{number}版"},
    "ui.reasons": {"en": "Reasons:", "ja": "理由:"},
    "ui.root_cause_for": {"en": "Root cause for {subject}", "ja": "{subject}の根本原因"},
    "ui.violation_no": {"en": "violation {id}", "ja": "違反 {id}"},
    "ui.root_cause": {"en": "Root cause", "ja": "根本原因"},
    "ui.actions": {"en": "Actions taken", "ja": "実施した対策"},
    "ui.prevent": {"en": "Preventive measures", "ja": "再発防止策"},
    "ui.one_per_line": {"en": "One item per line.", "ja": "1行に1項目ずつ書いてください。"},
    "ui.listings": {"en": "Affected listings", "ja": "対象の出品"},
    "ui.evidence": {"en": "Evidence", "ja": "証拠書類"},
    "ui.kind": {"en": "Kind", "ja": "種類"},
    "ui.kind.invoice": {"en": "invoice", "ja": "請求書"},
    "ui.kind.letter_of_authorisation": {"en": "letter of authorisation", "ja": "販売許諾書"},
    "ui.kind.other": {"en": "other", "ja": "その他"},
    "ui.save_draft": {"en": "Save draft", "ja": "下書き保存"},
    "ui.submit_plan": {"en": "Submit the plan", "ja": "改善計画書を提出"},
    "ui.findings": {"en": "Checker", "ja": "チェッカー"},
    "ui.findings_intro": {
        "en": "Advice only: the checker never decides your appeal.",
        "ja": "助言のみです。チェッカーが審査結果を決めることはありません。",
    },
    "ui.no_findings": {"en": "No findings: the plan covers the case.", "ja": "指摘はありません。"},
    "ui.severity.error": {"en": "Missing", "ja": "不足"},
    "ui.severity.warning": {"en": "Improve", "ja": "要改善"},
    "ui.severity.info": {"en": "Tip", "ja": "ヒント"},
    "ui.add_evidence": {"en": "Add evidence", "ja": "証拠書類を追加"},
    "ui.evidence_kind": {"en": "Kind of document", "ja": "書類の種類"},
    "ui.evidence_file": {"en": "File (PDF, PNG or JPEG)", "ja": "ファイル(PDF・PNG・JPEG)"},
    "ui.upload": {"en": "Upload", "ja": "アップロード"},
    "ui.versions": {"en": "Earlier versions", "ja": "これまでの版"},
    "ui.submitted_at": {"en": "submitted {at}", "ja": "{at} 提出"},
    "ui.draft_saved": {"en": "draft saved {at}", "ja": "{at} 下書き保存"},
    "ui.findings_count": {"en": "{count} findings", "ja": "指摘 {count} 件"},
    "ui.show_version": {"en": "Show", "ja": "表示"},
    "ui.callback_intro": {
        "en": (
            "Account Health Support calls you back every day 09:00–17:00 ({zone}). It explains "
            "why a Plan of Action is needed and how to write it; the call does not decide "
            "your case."
        ),
        "ja": (
            "アカウントヘルスサポートが毎日9時～17時({zone})に折り返しお電話します。改善計画書が"
            "必要な理由と書き方をご説明します。電話の内容が審査結果を左右することはありません。"
        ),
    },
    "ui.your_calls": {"en": "Your booked calls", "ja": "予約済みの電話"},
    "ui.no_calls": {"en": "No calls booked.", "ja": "予約はありません。"},
    "ui.call_status.BOOKED": {"en": "booked", "ja": "予約済み"},
    "ui.call_status.CLAIMED": {"en": "agent assigned", "ja": "担当者決定"},
    "ui.call_status.COMPLETED": {"en": "completed", "ja": "完了"},
    "ui.call_status.CANCELLED": {"en": "cancelled", "ja": "キャンセル済み"},
    "ui.offered": {
        "en": "(the next free time after your wish)",
        "ja": "(ご希望の時間以降で最初の空き枠)",
    },
    "ui.move": {"en": "Move", "ja": "変更"},
    "ui.move_call": {"en": "Move the call", "ja": "予約の変更"},
    "ui.cancel_call": {"en": "Cancel", "ja": "キャンセル"},
    "ui.slot": {"en": "Time ({zone})", "ja": "日時({zone})"},
    "ui.phone": {"en": "Phone number", "ja": "電話番号"},
    "ui.time": {"en": "Time", "ja": "時刻"},
    "ui.seller": {"en": "Seller", "ja": "出品者"},
    "ui.claim": {"en": "Claim", "ja": "担当する"},
    "ui.open": {"en": "Open", "ja": "開く"},
    "ui.today": {"en": "Today", "ja": "本日"},
    "ui.later": {"en": "Coming days", "ja": "今後の予定"},
    "ui.call": {"en": "Call", "ja": "電話"},
    "ui.call_notes": {"en": "Call notes", "ja": "通話メモ"},
    "ui.outcome": {"en": "Outcome", "ja": "結果"},
    "ui.outcome.REACHED": {"en": "reached", "ja": "通話できた"},
    "ui.outcome.NO_ANSWER": {"en": "no answer", "ja": "応答なし"},
    "ui.outcome.WRONG_NUMBER": {"en": "wrong number", "ja": "番号違い"},
    "ui.notes_hint": {
        "en": "Only AHS reads these notes; Account Specialists never see them.",
        "ja": "このメモはAHSのみが閲覧でき、アカウントスペシャリストには表示されません。",
    },
    "ui.complete_call": {"en": "Complete the call", "ja": "通話を完了"},
    "ui.appeal_no": {"en": "Appeal", "ja": "申し立て"},
    "ui.submitted": {"en": "Submitted", "ja": "提出日時"},
    "ui.queue_empty": {"en": "No appeal is waiting.", "ja": "審査待ちの申し立てはありません。"},
    "ui.packet": {"en": "Review packet", "ja": "審査資料"},
    "ui.no_evidence": {"en": "No evidence attached.", "ja": "証拠書類はありません。"},
    "ui.decide": {"en": "Decide", "ja": "判断する"},
    "ui.decision": {"en": "Decision", "ja": "判断"},
    "ui.reasons_hint": {
        "en": "The seller reads these reasons; required unless you accept.",
        "ja": "理由は出品者に表示されます。承認以外では必須です。",
    },
    "ui.deadline_hint": {
        "en": "Only when asking for more information.",
        "ja": "追加情報を求める場合のみ。",
    },
    "ui.search_label": {"en": "Seller id, name or email", "ja": "出品者ID・名前・メールアドレス"},
    "ui.search": {"en": "Search", "ja": "検索"},
    "ui.nothing_found": {"en": "Nothing found.", "ja": "見つかりませんでした。"},
    "ui.audit_action": {"en": "Action", "ja": "操作"},
    "ui.audit_target": {"en": "Target", "ja": "対象"},
    "ui.audit_outcome": {"en": "Outcome", "ja": "結果"},
    "ui.audit_actor": {"en": "Actor", "ja": "実行者"},
    "ui.filter": {"en": "Filter", "ja": "絞り込み"},
    "ui.brands": {"en": "Your brands", "ja": "登録ブランド"},
    "ui.brand": {"en": "Brand", "ja": "ブランド"},
    "ui.complaints": {"en": "Your complaints", "ja": "申し立て"},
    "ui.retract": {"en": "Retract", "ja": "取り下げ"},
    "ui.retract_reason": {"en": "Reason for retracting", "ja": "取り下げの理由"},
    "ui.file_complaint": {"en": "File a complaint", "ja": "申し立てを行う"},
    "ui.listing_numbers": {"en": "Listing numbers", "ja": "出品番号"},
    "ui.register_brand": {"en": "Register a brand", "ja": "ブランドを登録"},
    "ui.registration": {"en": "Registration number", "ja": "登録番号"},
    "ui.country": {"en": "Country (2 letters)", "ja": "国(2文字)"},
    "ui.terms": {"en": "Protected terms", "ja": "保護する語句"},
}


def t(key: str, language: str, **values: object) -> str:
    """The message ``key`` in ``language`` (English when the language is not supported)."""
    texts = MESSAGES[key]
    return texts.get(language, texts["en"]).format(**values)
