"""Printing: printer set-ups (``setups``), ESC/POS rendering (``render``, over python-escpos
in ``escpos_lib``), sending to devices (``devices``: one time-limited attempt per job, made
of ``attempt``, the handshake that keeps a given-up job from sending later; ``links``, a
connection per printer type; ``status``, the DLE EOT questions that confirm a job), and the
print queue that moves each job through its states (``queue``)."""
