"""Input types, one module per area; each has a `to_*` method that hands the resolvers a plain
command or query of the ledger's."""
