"""The protocol's rules as pure functions: standard library only, no database, today passed in."""
