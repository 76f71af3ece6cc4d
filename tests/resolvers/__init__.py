"""Tests of the resolvers layer: the unit of work and what the schema reads through it."""
