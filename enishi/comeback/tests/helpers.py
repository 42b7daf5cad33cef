"""Shared helpers of the comeback tests."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.comeback.models import Opportunity
from enishi.networks.models import Membership

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def make_opportunity(net: PersonaNetwork, **fields: Any) -> Opportunity:
    values: dict[str, Any] = {
        "title": "経理部 カムバック採用（正社員）", "kind": Opportunity.Kind.FULL_TIME, "company": net.company,
        "location": "東京", "remote": Opportunity.Remote.HYBRID, "status": Opportunity.Status.OPEN,
        "description": "<p>決算業務をお任せします。</p>", "questions": ["志望動機"],
    }  # fmt: skip
    values.update(fields)
    with scopes_disabled():
        return Opportunity.objects.create(network=net.network, created_by=net.hr, **values)


def membership(net: PersonaNetwork, persona: str) -> Membership:
    return net.memberships[persona]
