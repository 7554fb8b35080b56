from vawg_kg.cli import app

app()
