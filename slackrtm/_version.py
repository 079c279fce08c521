"""The package version, in a module of its own.

The core reads it here without importing the package's public face: `slackrtm/__init__.py`
imports the core, not the other way round.
"""

__version__ = "0.1.0"
