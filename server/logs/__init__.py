"""Logging: what each line says about where it came from (context.py), how lines are written
(text or one JSON object each, formatting.py), what never reaches them (redaction.py) and the
access log without query strings (access.py). `configure` in formatting.py wires them up once,
from the CLI."""
