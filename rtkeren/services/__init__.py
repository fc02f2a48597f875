"""Writes of the core, one function per action (``<noun>_<verb>``, keyword-only arguments)."""
