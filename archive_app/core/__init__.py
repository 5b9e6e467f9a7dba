"""The archive's core: no Qt anywhere below this package."""
