"""Plain reads answered by PostgreSQL: one statement that builds the response's JSON.

A front end sends the same few queries over and over: an invoice by its key, a page of
invoices with their line items and balances. For those, every layer between the request and
the rows (strawberry's per-request machinery, an ORM session and its transaction, a Python
object per field, the JSON encoder) costs more than the database does. A document made only of
what this package knows (plans.py) is compiled once into a builder of one SQL statement whose
single value is the `data` of the response (invoices.py), and the answer is written around it.
Anything else, and anything a plan is unsure of (a variable it cannot coerce, a limit, a
cursor the server did not make), goes the standard way, which answers as it always has.
"""
