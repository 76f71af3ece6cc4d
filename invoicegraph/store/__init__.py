"""Persistence: tables, the engine, and one module of keyword-only async functions per aggregate."""
