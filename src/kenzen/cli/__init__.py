"""The ``kenzen`` command. Thin: parse, call one service in one transaction, print.

One module per command group; each imports the domain it drives only when one of its
commands runs, so ``kenzen --help`` and a single command load no more than they need.
User errors print one line on stderr and exit 2, never a traceback (``support``).
"""

from __future__ import annotations

import typer

from kenzen.cli import (
    appeals,
    apps,
    backup,
    complaints,
    events,
    identity,
    notices,
    policy,
    sellers,
    server,
)

app = typer.Typer(
    help="Kenzen: open, explainable account health for marketplaces.", no_args_is_help=True
)
app.add_typer(server.commands)
app.add_typer(events.commands)
app.add_typer(policy.commands)
app.add_typer(server.db_app, name="db")
app.add_typer(sellers.marketplace_app, name="marketplace")
app.add_typer(identity.user_app, name="user")
app.add_typer(identity.token_app, name="token")
app.add_typer(sellers.seller_app, name="seller")
app.add_typer(events.report_app, name="report")
app.add_typer(events.events_app, name="events")
app.add_typer(complaints.screen_app, name="screen")
app.add_typer(policy.policy_app, name="policy")
app.add_typer(appeals.poa_app, name="poa")
app.add_typer(notices.dkim_app, name="dkim")
app.add_typer(notices.webhook_app, name="webhook")
app.add_typer(notices.notices_app, name="notices")
app.add_typer(notices.commands)
app.add_typer(apps.app_app, name="app")
app.add_typer(backup.commands)
