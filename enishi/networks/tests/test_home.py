from __future__ import annotations

from conftest import PersonaNetwork


def test_it_sends_staff_to_their_console_and_alumni_to_the_home(net_a: PersonaNetwork) -> None:
    response = net_a.client_for("hr").get("/n/alpha/")
    assert response.status_code == 302
    assert response["Location"] == "/n/alpha/manage/"

    response = net_a.client_for("alumnus1").get("/n/alpha/")
    assert response.status_code == 200
    assert "佐藤" in response.content.decode()


def test_it_hides_a_network_from_non_members(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    response = net_b.client_for("admin").get("/n/alpha/")
    assert response.status_code == 404
