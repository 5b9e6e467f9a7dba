"""archive-app: a desktop research archive."""

__version__ = "0.1.0"
