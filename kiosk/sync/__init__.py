"""The kiosk's side of sync: the outbox of rows HQ has not answered, the batches sent to the
office's service over HTTP (:mod:`kiosk.sync_protocol`), their per-row answers, and the case
set the office publishes. Offline-first: a kiosk without a network loses nothing and waits."""
