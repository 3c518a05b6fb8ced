"""Families are withdrawn with a reason, never deleted, and brought back by an administrator."""

from __future__ import annotations

from typing import Any

from homecoming.testing import World


def test_an_officer_withdraws_a_family_in_its_page_and_only_an_administrator_brings_it_back(
    world: World, client: Any
) -> None:
    reg = world.kalbajar_family.reg_number
    client.force_login(world.kamran)
    page = client.get(f"/households/{reg}/").content.decode()
    assert f'action="/households/{reg}/withdraw/"' in page  # the page's form, not the API
    client.post(f"/households/{reg}/withdraw/", {"reason": ""})
    world.kalbajar_family.refresh_from_db()
    assert world.kalbajar_family.status == "eligible"  # no reason, no withdrawal
    client.post(f"/households/{reg}/withdraw/", {"reason": "moved abroad"})
    world.kalbajar_family.refresh_from_db()
    assert (world.kalbajar_family.status, world.kalbajar_family.withdrawal_reason) == (
        "withdrawn",
        "moved abroad",
    )
    assert "moved abroad" in client.get(f"/households/{reg}/").content.decode()
    client.post(f"/households/{reg}/reinstate/")
    world.kalbajar_family.refresh_from_db()
    assert world.kalbajar_family.status == "withdrawn"
    # Another district's officer does not even see it; the auditor may not write.
    client.force_login(world.leyla)
    assert client.post(f"/households/{reg}/reinstate/").status_code == 404
    client.force_login(world.sabina)
    assert client.post(f"/households/{reg}/withdraw/", {"reason": "x"}).status_code == 403
    client.force_login(world.ayten)
    client.post(f"/households/{reg}/reinstate/")
    world.kalbajar_family.refresh_from_db()
    assert world.kalbajar_family.status == "registered"
