"""The letter-writing kiosk: sign appeals and postcards for people at risk."""

__version__ = "0.1.0"
