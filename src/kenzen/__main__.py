"""``python -m kenzen`` is the ``kenzen`` command."""

from kenzen.cli import app

app(prog_name="kenzen")
