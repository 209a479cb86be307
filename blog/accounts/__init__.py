"""Accounts: author sign-in and sign-out, server-side sessions, and the `author` command."""
