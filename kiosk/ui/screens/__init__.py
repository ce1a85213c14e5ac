"""The kiosk's screens. Every string from a case file or a visitor goes in as Content."""
