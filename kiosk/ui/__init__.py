"""The Textual app visitors and organisers touch. It only calls :mod:`kiosk.station`."""
