"""The national office's side of sync (``kiosk hq ...``, the ``kiosk[hq]`` extra): the HQ
schema in PostgreSQL, per-kiosk tokens, the ingestion service with its read endpoints and
dashboard, the published case set, and national counts. A stall laptop never imports it."""
