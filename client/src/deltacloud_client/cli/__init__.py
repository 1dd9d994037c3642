"""The deltacloudc command line."""
