"""invoicegraph: a GraphQL gateway over invoice data."""
