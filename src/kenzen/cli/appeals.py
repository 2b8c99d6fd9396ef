"""Plans of Action: ``kenzen poa``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kenzen.cli.support import AsOption, err, out, use_case, user_errors
from kenzen.errors import KenzenError
from kenzen.i18n import N_

poa_app = typer.Typer(help="Plans of Action.", no_args_is_help=True)


@poa_app.command("check")
@user_errors
def poa_check(
    file: Annotated[
        Path, typer.Argument(help="A Plan of Action: Word (.docx), text or Markdown, or JSON.")
    ],
    case: Annotated[
        int | None, typer.Option(help="Also check what this case needs (its violations, listings).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="ja or en (default: the plan's own language).")
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Feedback on a Plan of Action before submitting it; exit 1 when it has errors."""
    from kenzen.appeals import service as appeals_service
    from kenzen.appeals import written
    from kenzen.appeals.poa import from_json

    try:
        data = file.read_bytes()
    except OSError as error:
        raise KenzenError(
            N_("error.cli.unreadable_file"), file=str(file), strerror=str(error.strerror)
        ) from None
    if file.suffix.lower() == ".json":
        plan = written.WrittenPlan.structured(from_json(data.decode("utf-8", "replace")))
    else:
        plan = written.from_file(file.name, data)
    with use_case(as_user) as (session, actor):
        findings = appeals_service.check_appeal(session, actor, plan, case)
    shown = language or plan.plan.language
    for finding in findings:
        out.print(
            f"{finding.severity:7} {finding.part}: {finding.message[shown]}",
            highlight=False,
            markup=False,
        )
    errors = sum(1 for f in findings if f.severity == "error")
    err.print(f"{len(findings)} finding(s), {errors} error(s)", highlight=False)
    if errors:
        raise typer.Exit(1)
