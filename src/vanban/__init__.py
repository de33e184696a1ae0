"""vanban — electronic documents for Vietnamese state agencies (office + exchange hub)."""

__version__ = "0.1.0"
