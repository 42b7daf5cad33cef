from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from enishi.lib.japanese import name_sort_key

NAME_FIELDS = {"family_name", "given_name", "family_name_kana", "given_name_kana", "email"}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Their place in each network is a `networks.Membership`.

    `is_staff` means an operator of the whole installation (Django admin), not a network's staff.
    """

    email = models.EmailField(_("email address"), unique=True)
    family_name = models.CharField(_("family name"), max_length=60, blank=True)
    given_name = models.CharField(_("given name"), max_length=60, blank=True)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=60, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=60, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        # Japanese order: family name first, separated by a full-width space.
        return "\u3000".join(part for part in (self.family_name, self.given_name) if part)

    @property
    def full_name_kana(self) -> str:
        return "\u3000".join(part for part in (self.family_name_kana, self.given_name_kana) if part)

    @property
    def sort_name(self) -> str:
        return name_sort_key(self.family_name_kana, self.given_name_kana, self.family_name, self.given_name, self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or NAME_FIELDS & set(update_fields)):
            self._refresh_membership_sort_names()

    def _refresh_membership_sort_names(self) -> None:
        from enishi.networks.models import Membership

        # The person's own rows in every network: lists sort by this copy of their reading.
        with scopes_disabled():
            Membership.objects.filter(user=self).exclude(sort_name=self.sort_name).update(sort_name=self.sort_name)
            memberships = list(Membership.objects.filter(user=self).select_related("network"))
        if memberships:
            from enishi.directory.indexing import reindex_members

            # The names are searched in the directory of every network the person belongs to.
            for membership in memberships:
                reindex_members(membership.network, [membership.pk])

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.family_name or self.email
