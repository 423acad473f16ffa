"""Shared plumbing: database, configuration, clock, errors, text, settings, audit log."""
