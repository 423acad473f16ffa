"""Who may do what: sign-in, role and field policy, user accounts, saved list views."""
