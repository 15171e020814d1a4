"""roleswitch: a terminal UI for switching AWS roles."""

__version__ = "0.1.0"
