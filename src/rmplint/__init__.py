"""rmplint: check Relationship Management Plans and contracts against BS 11000 / ISO 44001."""

__version__ = "0.1.0"
