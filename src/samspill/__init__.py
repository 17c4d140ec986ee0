"""Samspill: observe, code, score and teach the recognition of caregiver withdrawal."""

__version__ = "0.1.0"
