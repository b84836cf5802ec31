"""Freestanding C test guests for Warden and the tools that build them (see build.py)."""
