"""The version of equity (one place: the package, ``equity --version`` and pyproject read it)."""

__version__ = "0.1.0"
