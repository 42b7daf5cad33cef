"""The demo's messages: consents, a few alumni conversations, the secretariat's inbox in every status."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from enishi.messaging.models import Conversation, Message, SecretariatMessage, SecretariatThread
from enishi.privacy.models import Consent

pytestmark = pytest.mark.django_db


def test_it_fills_conversations_and_the_secretariat_inbox() -> None:
    call_command("seed_demo", "--alumni", "300", verbosity=0)
    with scopes_disabled():
        demo = {"network__slug": "demo"}
        assert Conversation.objects.filter(**demo).count() == 3
        assert Message.objects.filter(**demo).count() == 6
        threads = SecretariatThread.objects.filter(**demo)
        assert threads.count() == 8
        assert set(threads.values_list("status", flat=True)) == {"new", "in_progress", "waiting", "closed"}
        assert threads.filter(assignee=None).count() == 2
        assert "住所変更のお願い" in set(threads.values_list("subject", flat=True))
        assert SecretariatMessage.objects.filter(**demo, kind=SecretariatMessage.Kind.NOTE).count() == 3
        accepting = set(
            Consent.objects.filter(**demo, purpose="alumni_messages", withdrawn_at=None).values_list(
                "membership__user__email", flat=True
            )
        )
        assert {"alumni1@demo.example", "alumni2@demo.example", "supporter@demo.example"} <= accepting
        assert "alumni4@demo.example" not in accepting
        assert len(accepting) > 100
        assert not Conversation.objects.filter(network__slug="other").exists()

    call_command("seed_demo", "--reset", "--alumni", "300", verbosity=0)  # removes and rebuilds cleanly
    with scopes_disabled():
        assert SecretariatThread.objects.filter(network__slug="demo").count() == 8
