"""What the demo contains: the two networks, their companies and departments, the named accounts.

Pure data, no database: `services.py` builds rows from it, `people.py` draws alumni from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from enishi.demo.names import Name
from enishi.networks.roles import Role


@dataclass(frozen=True)
class CompanySpec:
    name_ja: str
    name_en: str
    short_name: str
    code: str  # prefix of employee numbers, e.g. BK0001234
    weight: int  # relative share of the group's leavers
    departments: tuple[str, ...]


@dataclass(frozen=True)
class AccountSpec:
    """A named account people log in with (the README lists them)."""

    email: str
    role: Role
    family: Name
    given: Name
    has_employment: bool  # former employees have an employment record; staff and coordinators do not
    is_operator: bool = False  # is_staff + is_superuser: may open /operator/


@dataclass(frozen=True)
class NetworkSpec:
    slug: str
    name_ja: str
    name_en: str
    accent_colour: str
    companies: tuple[CompanySpec, ...]
    bulk_email_domain: str  # a000123@<domain>
    accounts: tuple[AccountSpec, ...]


_SHARED_DEPARTMENTS = ("人事部", "経理部", "総務部")

ENISHI_GROUP = (
    CompanySpec(
        "縁ホールディングス株式会社", "Enishi Holdings, Inc.", "縁HD", "HD", 8,
        ("経営企画部", "財務部", "法務部", "広報部", "IR室", "内部監査室", "グループIT戦略部",
         "サステナビリティ推進部", *_SHARED_DEPARTMENTS),
    ),
    CompanySpec(
        "縁銀行株式会社", "Enishi Bank, Ltd.", "縁銀行", "BK", 40,
        ("法人営業部", "個人営業部", "融資部", "審査部", "市場営業部", "資産運用部", "国際業務部",
         "リスク管理部", "コンプライアンス統括部", "システム開発部", "事務統括部", "新宿支店", "梅田支店",
         "名古屋支店", "福岡支店", "札幌支店", *_SHARED_DEPARTMENTS),
    ),
    CompanySpec(
        "縁生命保険株式会社", "Enishi Life Insurance Co., Ltd.", "縁生命", "LF", 32,
        ("営業部", "営業推進部", "法人営業部", "商品開発部", "数理部", "契約サービス部", "保険金部",
         "資産運用部", "運用企画部", "マーケティング部", "システム開発部", *_SHARED_DEPARTMENTS),
    ),
    CompanySpec(
        "縁ロジスティクス株式会社", "Enishi Logistics Co., Ltd.", "縁ロジ", "LG", 20,
        ("物流企画部", "輸送部", "倉庫管理部", "国際物流部", "営業部", "法人営業部", "安全品質管理部",
         "調達部", "情報システム部", "システム開発部", "関東物流センター", "関西物流センター",
         *_SHARED_DEPARTMENTS),
    ),
)  # fmt: skip

SAMPLE_TRADING = (
    CompanySpec(
        "サンプル商事株式会社", "Sample Trading Co., Ltd.", "サンプル商事", "ST", 1,
        ("営業第一部", "営業第二部", "海外事業部", "管理部", "情報システム部", *_SHARED_DEPARTMENTS),
    ),
)  # fmt: skip


def _account(
    email: str, role: Role, family: str, given: str, *, employed: bool = False, operator: bool = False
) -> AccountSpec:
    family_kanji, family_kana = family.split(":")
    given_kanji, given_kana = given.split(":")
    return AccountSpec(
        email, role, Name(family_kanji, family_kana), Name(given_kanji, given_kana),
        has_employment=employed, is_operator=operator,
    )  # fmt: skip


DEMO = NetworkSpec(
    slug="demo",
    name_ja="縁グループ アルムナイネットワーク",
    name_en="Enishi Group Alumni Network",
    accent_colour="#1F5FA8",
    companies=ENISHI_GROUP,
    bulk_email_domain="alumni.demo.example",
    accounts=(
        _account("admin@demo.example", Role.ADMIN, "高橋:タカハシ", "由美:ユミ", operator=True),
        _account("hr@demo.example", Role.HR, "山本:ヤマモト", "健一:ケンイチ"),
        _account("editor@demo.example", Role.EDITOR, "中村:ナカムラ", "彩:アヤ"),
        _account("analyst@demo.example", Role.ANALYST, "小林:コバヤシ", "直樹:ナオキ"),
        # The coordinator works for an outside firm: no employment record in the group.
        _account("coordinator@demo.example", Role.COORDINATOR, "加藤:カトウ", "真理子:マリコ"),
        _account("supporter@demo.example", Role.SUPPORTER, "吉田:ヨシダ", "大輔:ダイスケ", employed=True),
        _account("alumni1@demo.example", Role.ALUMNUS, "佐藤:サトウ", "一郎:イチロウ", employed=True),
        _account("alumni2@demo.example", Role.ALUMNUS, "鈴木:スズキ", "美咲:ミサキ", employed=True),
        _account("alumni3@demo.example", Role.ALUMNUS, "田中:タナカ", "翔太:ショウタ", employed=True),
        _account("alumni4@demo.example", Role.ALUMNUS, "伊藤:イトウ", "恵:メグミ", employed=True),
        _account("alumni5@demo.example", Role.ALUMNUS, "渡辺:ワタナベ", "拓也:タクヤ", employed=True),
    ),
)

OTHER = NetworkSpec(
    slug="other",
    name_ja="サンプル商事 OB・OG会",
    name_en="Sample Trading Alumni Association",
    accent_colour="#2E7D4F",
    companies=SAMPLE_TRADING,
    bulk_email_domain="alumni.other.example",
    accounts=(
        _account("admin@other.example", Role.ADMIN, "松本:マツモト", "恵子:ケイコ"),
        _account("alumni1@other.example", Role.ALUMNUS, "井上:イノウエ", "誠:マコト", employed=True),
    ),
)

# The second network is small: it exists so that isolation between networks can be seen.
OTHER_ALUMNI = 20
NETWORKS = (DEMO, OTHER)
DEMO_SLUGS = tuple(spec.slug for spec in NETWORKS)
