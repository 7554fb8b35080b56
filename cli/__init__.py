"""The ``vawg-kg`` command line: the top room, which may import any other.

One module per command group, each registering its commands on the one app
(``cli/app.py``) when imported here; the import order is the order of ``--help``.
"""

from vawg_kg.cli import build, neo4j, publish, query, review, score, serve  # noqa: F401  (registers the commands)
from vawg_kg.cli.app import app

__all__ = ["app"]
