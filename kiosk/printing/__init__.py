"""Printing: printer set-ups (``setups``), ESC/POS rendering (``render``, over python-escpos
in ``escpos_lib``), sending to devices with a deadline (``devices``), and the print queue
that moves each job through its states (``queue``)."""
