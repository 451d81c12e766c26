"""The admin's neutral site name reaches every audience's page titles."""

from portal.services.admin import deployment
from tests.factories import login_as


def test_admin_site_name_is_used_on_her_pages_and_the_console(client, dbs, world):
    deployment.save(dbs, "site_name", "Garden Club")
    dbs.commit()
    assert b"<title>Garden Club" in client.get("/").data
    login_as(client, world.worker)
    page = client.get("/staff/", follow_redirects=True)
    assert page.status_code == 200
    assert b"<title>" in page.data and b"Garden Club" in page.data.split(b"</title>")[0]
