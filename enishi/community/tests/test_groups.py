"""Groups: started by supporters or staff, open or by approval, with a feed of their own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.community import views as community_views
from enishi.community.models import Group, GroupMember, Post
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def start(net: PersonaNetwork, persona: str, name: str, policy: str) -> Group:
    response = client_for(net, persona).post(
        reverse("network:group_new", args=[net.network.slug]), {"name": name, "kind": "interest", "policy": policy}
    )
    assert response.status_code == 302
    with scopes_disabled():
        return Group.objects.get(network=net.network, name=name)


def test_only_supporters_and_staff_start_groups(net_a: PersonaNetwork) -> None:
    url = reverse("network:group_new", args=["alpha"])
    assert (
        client_for(net_a, "alumnus1").post(url, {"name": "x", "kind": "interest", "policy": "open"}).status_code == 404
    )
    group = start(net_a, "supporter", "データ分析の会", "open")
    with scopes_disabled():
        assert GroupMember.objects.get(group=group).organiser


def test_an_open_group_is_joined_at_once_and_its_posts_stay_out_of_the_main_feed(net_a: PersonaNetwork) -> None:
    group = start(net_a, "supporter", "関西の会", "open")
    detail = reverse("network:group_detail", args=["alpha", group.pk])
    member = client_for(net_a, "alumnus1")
    assert member.post(detail, {"text": "まだ入っていません"}).status_code == 404

    member.post(reverse("network:group_action", args=["alpha", group.pk, "join"]))
    member.post(detail, {"text": "大阪で集まりませんか"})

    assert "大阪で集まりませんか" in client_for(net_a, "alumnus2").get(detail).content.decode()  # open: readable
    assert "大阪で集まりませんか" not in member.get(reverse("network:posts", args=["alpha"])).content.decode()


def test_an_approval_group_is_read_by_its_members_only(net_a: PersonaNetwork) -> None:
    group = start(net_a, "supporter", "元人事部の会", "approval")
    detail = reverse("network:group_detail", args=["alpha", group.pk])
    organiser = client_for(net_a, "supporter")
    organiser.post(detail, {"text": "人事部OB・OGの近況共有"})
    applicant = client_for(net_a, "alumnus1")

    applicant.post(reverse("network:group_action", args=["alpha", group.pk, "join"]))
    assert "人事部OB・OGの近況共有" not in applicant.get(detail).content.decode()
    with scopes_disabled():
        request_ = GroupMember.objects.get(group=group, membership=net_a.memberships["alumnus1"])
    assert request_.status == "pending"
    approve = reverse("network:group_member_action", args=["alpha", group.pk, request_.pk, "approve"])
    assert client_for(net_a, "alumnus2").post(approve).status_code == 404  # not an organiser

    organiser.post(approve)

    assert "人事部OB・OGの近況共有" in applicant.get(detail).content.decode()
    with scopes_disabled():
        post_id = group.posts.get().pk
    assert client_for(net_a, "alumnus2").get(reverse("network:post_detail", args=["alpha", post_id])).status_code == 404


def test_the_group_page_and_list_run_a_constant_number_of_queries(
    net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(community_views, "POSTS_PAGE_SIZE", 200)
    group = start(net_a, "supporter", "大きな会", "open")
    client = client_for(net_a, "alumnus1")
    detail = reverse("network:group_detail", args=["alpha", group.pk])
    listing = reverse("network:groups", args=["alpha"])
    assert client.get(detail).status_code == 200
    counts: dict[str, list[int]] = {"detail": [], "list": []}
    for total in (10, 200):
        with scopes_disabled():
            author = net_a.memberships["supporter"]
            for number in range(group.posts.count(), total):
                Post.objects.create(network=net_a.network, author=author, group=group, text=f"{number}", html="x")
                Group.objects.create(network=net_a.network, name=f"会{number}")
        for name, url in (("detail", detail), ("list", listing)):
            with CaptureQueriesContext(connection) as context:
                assert client.get(url).status_code == 200
            counts[name].append(len(context.captured_queries))
    assert counts["detail"][0] == counts["detail"][1]
    assert counts["list"][0] == counts["list"][1]
