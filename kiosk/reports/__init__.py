"""After the event: the summary report, its renderings, the delivery lists and the tally slip."""
