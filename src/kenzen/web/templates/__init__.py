"""Jinja2 templates of the pages."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).parent
