"""Alumni side of comeback: the list and its filters, audiences, 「話を聞いてみたい」, the application
with its résumé checks, "my applications" and withdrawal, the schemes; HR-only fields never shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.comeback import services
from enishi.comeback.models import Application, Candidate, ComebackScheme, Interest, Opportunity, OpportunityInvitee
from enishi.comeback.tests.helpers import PDF, docx_bytes, make_opportunity, membership
from enishi.intake.models import EmploymentRecord, RehireEligibility
from enishi.notifications.models import Notification
from enishi.privacy.models import Consent, ConsentPurpose
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_list_shows_open_opportunities_of_the_audience_with_filters(net_a: PersonaNetwork) -> None:
    side = make_opportunity(net_a, title="副業: 広報サポート", kind=Opportunity.Kind.SIDE_JOB,
                            remote=Opportunity.Remote.REMOTE, location="大阪")  # fmt: skip
    full = make_opportunity(net_a, title="正社員: 経理")
    make_opportunity(net_a, title="下書きの求人", status=Opportunity.Status.DRAFT)
    make_opportunity(net_a, title="締切済みの求人", closes_on=timezone.localdate() - timedelta(days=1))
    invited_only = make_opportunity(net_a, title="招待制の案件", audience=Opportunity.Audience.INVITED)
    client = client_for(net_a, "alumnus1")
    url = reverse("network:opportunities", args=[net_a.network.slug])
    page = client.get(url).content.decode()
    assert side.title in page
    assert full.title in page
    assert "下書きの求人" not in page
    assert "締切済みの求人" not in page
    assert invited_only.title not in page
    filtered = client.get(url, {"kind": "side_job"}).content.decode()
    assert side.title in filtered
    assert full.title not in filtered
    assert full.title not in client.get(url, {"remote": "remote"}).content.decode()
    assert side.title not in client.get(url, {"location": "東京"}).content.decode()
    with scopes_disabled():
        OpportunityInvitee.objects.create(network=net_a.network, opportunity=invited_only,
                                          membership=membership(net_a, "alumnus1"))  # fmt: skip
    assert invited_only.title in client.get(url).content.decode()
    assert invited_only.title not in client_for(net_a, "alumnus2").get(url).content.decode()
    detail = reverse("network:opportunity_detail", args=[net_a.network.slug, invited_only.pk])
    assert client_for(net_a, "alumnus2").get(detail).status_code == 404


def test_one_tap_interest_creates_a_candidate_and_tells_hr(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    opportunity = make_opportunity(net_a)
    client = client_for(net_a, "alumnus1")
    url = reverse("network:opportunity_interest", args=[net_a.network.slug, opportunity.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"note": "平日夜なら話せます"})
    assert response.status_code == 302
    with scopes_disabled():
        interest = Interest.objects.get(opportunity=opportunity)
        assert interest.membership == membership(net_a, "alumnus1")
        assert interest.note == "平日夜なら話せます"
        candidate = Candidate.objects.get(opportunity=opportunity)
        assert candidate.stage.name == "興味あり"
        told = Notification.objects.filter(kind="opportunity_interest").values_list("recipient__role", flat=True)
        assert set(told) == {"admin", "hr"}
    detail = client.get(reverse("network:opportunity_detail", args=[net_a.network.slug, opportunity.pk]))
    assert "You told the company you would like to hear more" in detail.content.decode()


def test_an_application_checks_the_resume_by_content_and_size(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    client = client_for(net_a, "alumnus1")
    url = reverse("network:opportunity_apply", args=[net_a.network.slug, opportunity.pk])
    fake = SimpleUploadedFile("resume.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"q0": "もう一度働きたい", "resume": fake})
    assert response.status_code == 200
    assert "Upload a PDF or Word file." in response.content.decode()
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024), content_type="application/pdf")
    response = client.post(url, {"q0": "もう一度働きたい", "resume": big})
    assert "The file is too large" in response.content.decode()
    missing = client.post(url, {"q0": ""})
    assert missing.status_code == 200
    word = SimpleUploadedFile("履歴書.bin", docx_bytes(), content_type="application/octet-stream")
    response = client.post(url, {"q0": "もう一度働きたい", "resume": word})
    assert response.status_code == 302
    with scopes_disabled():
        application = Application.objects.get(opportunity=opportunity)
    assert application.answers == {"志望動機": "もう一度働きたい"}
    assert application.resume.name.endswith(".docx")
    pdf = SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {"q0": "改めて", "resume": pdf}).status_code == 302
    with scopes_disabled():
        application.refresh_from_db()
    assert application.resume.name.endswith(".pdf")
    assert application.answers == {"志望動機": "改めて"}


def test_my_applications_show_the_status_and_allow_withdrawal(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    alumnus = membership(net_a, "alumnus1")
    with scopes_disabled():
        services.express_interest(opportunity, alumnus)
        services.apply(opportunity, alumnus, {"志望動機": "x"}, None)
    client = client_for(net_a, "alumnus1")
    mine = reverse("network:my_applications", args=[net_a.network.slug])
    page = client.get(mine).content.decode()
    assert opportunity.title in page
    assert "Received, in progress" in page
    client.post(reverse("network:opportunity_interest_withdraw", args=[net_a.network.slug, opportunity.pk]))
    with scopes_disabled():
        assert Candidate.objects.get(opportunity=opportunity).stage.name == "興味あり"  # the application stands
    client.post(reverse("network:opportunity_apply_withdraw", args=[net_a.network.slug, opportunity.pk]))
    with scopes_disabled():
        assert Candidate.objects.get(opportunity=opportunity).stage.name == "辞退"
        assert Application.objects.get(opportunity=opportunity).status == Application.Status.WITHDRAWN
    assert "辞退" in client.get(mine).content.decode()
    # Another alumnus cannot withdraw what is not theirs.
    other = client_for(net_a, "alumnus2")
    url = reverse("network:opportunity_apply_withdraw", args=[net_a.network.slug, opportunity.pk])
    assert other.post(url).status_code == 404


def test_withdrawn_rehire_consent_does_not_stop_applying(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    with scopes_disabled():
        Consent.objects.filter(membership=membership(net_a, "alumnus1"), purpose=ConsentPurpose.REHIRE_CONTACT).update(
            withdrawn_at=timezone.now()
        )
    client = client_for(net_a, "alumnus1")
    assert (
        client.post(reverse("network:opportunity_interest", args=[net_a.network.slug, opportunity.pk])).status_code
        == 302
    )
    url = reverse("network:opportunity_apply", args=[net_a.network.slug, opportunity.pk])
    assert client.post(url, {"q0": "はい"}).status_code == 302


def test_a_closed_opportunity_takes_no_new_answers_but_stays_visible_to_candidates(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    with scopes_disabled():
        services.express_interest(opportunity, membership(net_a, "alumnus1"))
        opportunity.status = Opportunity.Status.CLOSED
        opportunity.save()
    detail = reverse("network:opportunity_detail", args=[net_a.network.slug, opportunity.pk])
    assert client_for(net_a, "alumnus1").get(detail).status_code == 200
    assert client_for(net_a, "alumnus2").get(detail).status_code == 404
    interest = reverse("network:opportunity_interest", args=[net_a.network.slug, opportunity.pk])
    assert client_for(net_a, "alumnus1").post(interest).status_code == 404


def test_schemes_are_listed_when_published(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        body = "<p>最長10年以内の再入社を歓迎します。</p>"
        shown = ComebackScheme.objects.create(
            network=net_a.network, title="育児・介護からのカムバック制度", body=body, published=True
        )
        hidden = ComebackScheme.objects.create(network=net_a.network, title="準備中の制度", published=False)
    client = client_for(net_a, "alumnus1")
    page = client.get(reverse("network:comeback_schemes", args=[net_a.network.slug])).content.decode()
    assert shown.title in page
    assert hidden.title not in page
    assert shown.title in client.get(reverse("network:opportunities", args=[net_a.network.slug])).content.decode()
    body = client.get(reverse("network:comeback_scheme", args=[net_a.network.slug, shown.pk])).content.decode()
    assert "最長10年以内" in body
    assert client.get(reverse("network:comeback_scheme", args=[net_a.network.slug, hidden.pk])).status_code == 404


def test_rehire_eligibility_and_hr_notes_never_reach_alumni_pages(net_a: PersonaNetwork) -> None:
    marker = "HRNOTE-7f3a-不可視"
    opportunity = make_opportunity(net_a)
    with scopes_disabled():
        for persona in ("alumnus1", "alumnus2"):
            EmploymentRecord.objects.create(
                network=net_a.network, company=net_a.company, membership=membership(net_a, persona),
                employee_number=f"E-{persona}", family_name="佐藤", given_name="一郎",
                rehire_eligibility=RehireEligibility.NOT_ELIGIBLE, hr_notes=marker,
            )  # fmt: skip
        services.express_interest(opportunity, membership(net_a, "alumnus1"))
        services.apply(opportunity, membership(net_a, "alumnus1"), {"志望動機": "x"}, None)
    slug = net_a.network.slug
    urls = [
        reverse("network:opportunities", args=[slug]),
        reverse("network:opportunity_detail", args=[slug, opportunity.pk]),
        reverse("network:opportunity_apply", args=[slug, opportunity.pk]),
        reverse("network:my_applications", args=[slug]),
        reverse("network:comeback_schemes", args=[slug]),
    ]
    for persona in ("alumnus1", "alumnus2"):
        client = client_for(net_a, persona)
        for url in urls:
            page = client.get(url).content.decode()
            assert marker not in page, (persona, url)
            assert "Not eligible" not in page, (persona, url)
            assert "Rehire eligibility" not in page, (persona, url)
    # …while the console shows them beside the candidate.
    with scopes_disabled():
        candidate = Candidate.objects.get(opportunity=opportunity)
    console = client_for(net_a, "hr").get(
        reverse("manage:opportunity_candidate", args=[slug, opportunity.pk, candidate.pk])
    )
    assert marker in console.content.decode()
    assert "Not eligible" in console.content.decode()
