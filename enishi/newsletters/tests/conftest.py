from __future__ import annotations

import pytest
from django_scopes import scope

from conftest import PersonaNetwork
from enishi.newsletters import services
from enishi.newsletters.models import Newsletter

HOSTILE = '<p>ようこそ<script>alert(1)</script><img src=x onerror="alert(2)"></p><a href="javascript:alert(3)">x</a>'


def make_newsletter(net: PersonaNetwork, **fields: object) -> Newsletter:
    values: dict[str, object] = {
        "subject_ja": "アルムナイ通信 秋号",
        "body_ja": '<p>近況のお知らせです。</p><p><a href="https://example.com/event?a=1&amp;b=2">イベント</a></p>',
        "subject_en": "Alumni letter, autumn",
        "body_en": '<p>News from us.</p><p><a href="https://example.com/event?a=1&amp;b=2">Event</a> '
        '<a href="https://example.org/en">More</a></p>',
    }
    values.update(fields)
    with scope(network=net.network):
        newsletter = Newsletter(network=net.network, **values)
        return services.save_newsletter(newsletter, net.editor, list(values))


@pytest.fixture
def newsletter(net_a: PersonaNetwork) -> Newsletter:
    return make_newsletter(net_a)
