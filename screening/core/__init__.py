"""The pure domain core: content loading and validation, scoring, referral choice.

Nothing in this package imports Flask or SQLAlchemy (a test asserts it), so the CLI, the web
app and training mode share one implementation that is tested in microseconds.
"""
