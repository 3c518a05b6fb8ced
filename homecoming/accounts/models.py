"""Users' roles. A role says what a user may do; a district limits what they may see."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.privacy import PERMISSIONS


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Programme administrator")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    ALLOCATION_OFFICER = "allocation_officer", _("Allocation officer")
    AUDITOR = "auditor", _("Auditor")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    district = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        help_text=_("Limits what the user sees to one district. Required for district officers."),
    )

    class Meta:
        verbose_name = _("profile")
        # Personal data and export formats beyond a role's own (homecoming.accounts.privacy).
        permissions = PERMISSIONS
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="district_officer") | models.Q(district__isnull=False),
                name="district_officer_has_district",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def can_edit_registry(self) -> bool:
        return self.role in {Role.ADMINISTRATOR, Role.DISTRICT_OFFICER}

    @property
    def can_edit_housing(self) -> bool:
        return self.role in {Role.ADMINISTRATOR, Role.DISTRICT_OFFICER}

    @property
    def can_allocate(self) -> bool:
        return self.role in {Role.ADMINISTRATOR, Role.ALLOCATION_OFFICER}

    @property
    def read_only(self) -> bool:
        return self.role == Role.AUDITOR


def profile_of(user: object) -> Profile | None:
    """The user's profile; superusers without one act as administrators."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile  # type: ignore[attr-defined,no-any-return]
    except Profile.DoesNotExist:
        if getattr(user, "is_superuser", False):
            return Profile(user=user, role=Role.ADMINISTRATOR)  # type: ignore[misc]
        return None


class ApiToken(models.Model):
    """A bearer token for the API. Only the SHA-256 of the token is stored: a copy of the
    database gives no usable token. Tokens expire, and are revoked rather than deleted so the
    list keeps when each was used."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    #: The first characters of the token, shown in lists so a person can tell tokens apart.
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
