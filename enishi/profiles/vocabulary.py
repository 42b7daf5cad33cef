"""Fixed vocabularies of profiles: industries (after the Japan Standard Industrial Classification's
divisions), prefectures, and the answers about returning and collaborating."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture, forestry and fisheries")
    CONSTRUCTION = "construction", _("Construction")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    ENERGY = "energy", _("Electricity, gas and water")
    IT = "it", _("Information and communications")
    TRANSPORT = "transport", _("Transport and logistics")
    RETAIL = "retail", _("Wholesale and retail")
    FINANCE = "finance", _("Finance and insurance")
    REAL_ESTATE = "real_estate", _("Real estate")
    PROFESSIONAL = "professional", _("Professional and technical services, consulting")
    HOSPITALITY = "hospitality", _("Hotels, restaurants and leisure")
    EDUCATION = "education", _("Education and research")
    HEALTHCARE = "healthcare", _("Healthcare and welfare")
    PUBLIC = "public", _("Public service")
    NONPROFIT = "nonprofit", _("Non-profit")
    MEDIA = "media", _("Media and entertainment")
    OTHER = "other", _("Other")


PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
    "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
    "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県",
    "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県",
    "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip
OVERSEAS = "overseas"
LOCATION_CHOICES = [("", "—"), *((name, name) for name in PREFECTURES), (OVERSEAS, _("Outside Japan"))]


class ReturnMode(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time employee")
    CONTRACT = "contract", _("Contract employee")
    SIDE_JOB = "side_job", _("Side job (副業)")
    PROJECT = "project", _("Project / freelance (業務委託)")


class Timing(models.TextChoices):
    NOW = "now", _("Now")
    SIX_MONTHS = "six_months", _("Within six months")
    YEAR = "year", _("Within a year")
    LATER = "later", _("Later")
    UNDECIDED = "undecided", _("Not decided")


class Remote(models.TextChoices):
    ANY = "any", _("On site or remote")
    REMOTE = "remote", _("Remote only")
    HYBRID = "hybrid", _("Partly remote")
    ON_SITE = "on_site", _("On site")


class NotNowReason(models.TextChoices):
    CHILDCARE = "childcare", _("Childcare")
    CAREGIVING = "caregiving", _("Caregiving")
    STUDY = "study", _("Study")
    HEALTH = "health", _("Health")
    SETTLED = "settled", _("Happy where I am")
    OTHER = "other", _("Other")


class IntentFacet(models.TextChoices):
    """The answers of the intent form as directory facets (any of those chosen)."""

    FULL_TIME = "full_time", _("Return as a full-time employee")
    CONTRACT = "contract", _("Return as a contract employee")
    SIDE_JOB = "side_job", _("Side job (副業)")
    PROJECT = "project", _("Project / freelance (業務委託)")
    COLLABORATION = "collaboration", _("Business collaboration")
    MEET = "meet", _("Happy to meet other alumni")
    MENTOR = "mentor", _("Happy to mentor")
    SPEAK = "speak", _("Happy to speak at company events")
    FEEDBACK = "feedback", _("Happy to give feedback")
    NOT_NOW = "not_now", _("Not now")
