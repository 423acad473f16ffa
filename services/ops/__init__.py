"""Operator commands: migrations, users, audit checks, backup and restore, demo data."""
