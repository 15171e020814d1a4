"""The Textual app: a thin layer over `roleswitch.core`."""
