"""The database is browsable as it is with Datasette: tables, labels and foreign keys."""

import pytest

from tests.helpers.records_data import fill

datasette = pytest.importorskip("datasette.app")


async def test_datasette_browses_the_database_with_its_links(tmp_path):
    path = fill(tmp_path / "kiosk.db")
    ds = datasette.Datasette([str(path)], immutables=[])
    tables = (await ds.client.get("/kiosk.json")).json()["tables"]
    names = {t["name"] for t in tables}
    assert {"signatures", "print_jobs", "cases", "case_settings", "merges"} <= names
    rows = (await ds.client.get("/kiosk/signatures.json?_shape=array&_labels=on&_sort=local_time")).json()
    assert len(rows) == 8
    # case_id is a link to the case, labelled with its title
    assert rows[0]["case_id"] == {"value": "lawyer-amara-osei", "label": "Lawyer harassed for defending her clients"}
    jobs = (await ds.client.get("/kiosk/print_jobs.json?_shape=array&_labels=on")).json()
    assert {j["signature_id"]["value"] for j in jobs} == {r["id"] for r in rows}
    page = await ds.client.get("/kiosk/cases/lawyer-amara-osei")
    assert page.status_code == 200 and "Links from other tables" in page.text
