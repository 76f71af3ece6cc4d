"""The rules of invoices and money, pure: no I/O, no SQL, no GraphQL.

Everything here takes plain values and returns plain values or raises a `DomainError`,
so the rules can be property-tested without a database and reused by every entry point.
"""
