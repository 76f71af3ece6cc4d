"""Operator actions behind the CLI: workspaces and API clients (`workspaces.py`), demo data
for a first run (`demo.py`). An outer layer, like the CLI: it may call resolvers and store."""
