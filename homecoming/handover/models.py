"""From allocation to keys: offers, swaps, appeals, convoys, ceremonies, occupancy, messages.

The unit's one-to-one link to a household (housing) stays the final record of who is
offered, allocated or living where; the offer is the story of how it got there. Partial
unique constraints keep one *active* offer per unit and per household in the database
itself, whatever the code above does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from homecoming.core.models import QuickLabels
from homecoming.core.scoping import DistrictScopedQuerySet


class ScopedByHousehold(DistrictScopedQuerySet):  # type: ignore[type-arg]
    district_lookup = "household__district_id"


class ScopedByDistrict(DistrictScopedQuerySet):  # type: ignore[type-arg]
    """Rows of the district they belong to."""


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SWAPPED = "swapped", _("Swapped")
    CLOSED = "closed", _("Closed (moved out)")


#: An offer in one of these states holds its unit and its family.
ACTIVE_OFFER = (OfferStatus.PENDING, OfferStatus.ACCEPTED)


class Offer(QuickLabels, models.Model):
    """A home offered to a family, answered (or not) before a deadline.

    An offer made (at a run's approval, or from the reserve list) on a home that is not
    ready yet waits without a deadline; `do_start_deadlines` gives it one once it is ready.
    """

    run = models.ForeignKey(
        "allocation.AllocationRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("allocation run"),
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("household"),
    )
    unit = models.ForeignKey(
        "housing.Unit", on_delete=models.PROTECT, related_name="offers", verbose_name=_("unit")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    # Why this family got this home: the allocation result's reason, or the reserve rule.
    reason = models.CharField(_("reason"), max_length=400, blank=True)
    # The same reason as data when the system wrote it (a code and its parameters, e.g. an
    # exchange and the other family), shown in the reader's language (handover/why.py);
    # `reason` then keeps the English sentence, for the API and for readers of old rows.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    from_reserve = models.BooleanField(_("from the reserve list"), default=False)
    unit_status_before = models.CharField(max_length=12, default="free")
    # Empty while the home is not ready (still being built, or its place's readiness gate
    # closed): the home is held for the family, and the clock starts when it is ready.
    deadline = models.DateTimeField(_("answer by"), null=True, blank=True)
    created_at = models.DateTimeField(_("offered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=150, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=400, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedByHousehold.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            # The database's own guard against a home promised twice or a family given two.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_active_offer_per_unit",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_active_offer_per_household",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="declined_offer_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} → {self.unit} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_OFFER


class SwapStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Swap(QuickLabels, models.Model):
    """Two families exchanging the homes they were offered; both must consent."""

    first = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    first_consents = models.BooleanField(_("first family consents"), default=False)
    second_consents = models.BooleanField(_("second family consents"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.PROPOSED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class SwapQuerySet(DistrictScopedQuerySet["Swap"]):
        district_lookup = "first__household__district_id"

    objects = SwapQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("swap")
        verbose_name_plural = _("swaps")
        constraints = [
            models.CheckConstraint(condition=~Q(first=models.F("second")), name="swap_two_offers"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(first_consents=True, second_consents=True),
                name="swap_done_with_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first.household} ⇄ {self.second.household}"


class AppealKind(models.TextChoices):
    APPEAL = "appeal", _("Appeal against an offer or allocation")
    GRIEVANCE = "grievance", _("Grievance")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Appeal(QuickLabels, models.Model):
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="appeals"
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AppealKind.choices)
    text = models.TextField(_("what the family says"))
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    objects = ScopedByHousehold.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("appeal or grievance")
        verbose_name_plural = _("appeals and grievances")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(decision="") & Q(decided_at__isnull=False)),
                name="decided_appeal_has_decision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.household}"


class PickupPoint(models.Model):
    """Where a bus collects families: usually the place they live now."""

    # A point belongs to its district's plans; the buses that use it protect it.
    district = models.ForeignKey("geography.Area", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    objects = ScopedByDistrict.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("pick-up point")
        verbose_name_plural = _("pick-up points")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """Name and address, the place said once ("Gəncə, Heydər Əliyev meydanı" even when
        the address repeats the town).

        >>> PickupPoint(name="Gəncə", address="Gəncə, Heydər Əliyev meydanı").label
        'Gəncə, Heydər Əliyev meydanı'
        >>> PickupPoint(name="Gəncə", address="Heydər Əliyev meydanı").label
        'Gəncə, Heydər Əliyev meydanı'
        >>> PickupPoint(name="Bərdə", address="").label
        'Bərdə'
        """
        address = self.address.strip()
        name = self.name.strip()
        if not address:
            return name
        if address.casefold().startswith(name.casefold()):
            rest = address[len(name) :].lstrip(" ,")
            return f"{name}, {rest}" if rest else name
        return f"{name}, {address}"


class ConvoyStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DEPARTED = "departed", _("On the road")
    ARRIVED = "arrived", _("Arrived")
    CANCELLED = "cancelled", _("Cancelled")


class Convoy(models.Model):
    district = models.ForeignKey("geography.Area", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    departs_on = models.DateField(_("date"))
    destination = models.ForeignKey(
        "housing.ResidentialComplex",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destination"),
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ConvoyStatus.choices, default=ConvoyStatus.PLANNED
    )
    # Why a convoy was cancelled (it stays on record with its buses and passengers).
    status_reason = models.CharField(_("reason"), max_length=400, blank=True, default="")

    objects = ScopedByDistrict.as_manager()

    class Meta:
        ordering = ["departs_on", "name"]
        verbose_name = _("convoy")
        verbose_name_plural = _("convoys")

    def __str__(self) -> str:
        return f"{self.name} ({self.departs_on})"


class Bus(models.Model):
    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="buses")
    number = models.CharField(_("bus"), max_length=30)
    plate = models.CharField(_("plate"), max_length=20, blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"))
    pickup = models.ForeignKey(
        PickupPoint, on_delete=models.PROTECT, related_name="buses", verbose_name=_("pick-up")
    )
    departs_at = models.TimeField(_("departs at"), null=True, blank=True)

    class BusQuerySet(DistrictScopedQuerySet["Bus"]):
        district_lookup = "convoy__district_id"

    objects = BusQuerySet.as_manager()

    class Meta:
        ordering = ["convoy", "number"]
        verbose_name = _("bus")
        verbose_name_plural = _("buses")
        constraints = [
            models.UniqueConstraint(fields=["convoy", "number"], name="bus_number_per_convoy"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="bus_has_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.convoy.name} / {self.number}"


class Passenger(models.Model):
    """A family on a bus, with the seats its members take."""

    bus = models.ForeignKey(Bus, on_delete=models.CASCADE, related_name="passengers")
    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="convoy_seats"
    )
    seats = models.PositiveSmallIntegerField(_("seats"))

    class Meta:
        ordering = ["bus", "household__reg_number"]
        constraints = [
            # A family is on one bus of a convoy, not two.
            models.UniqueConstraint(fields=["convoy", "household"], name="one_bus_per_convoy"),
        ]

    def __str__(self) -> str:
        return f"{self.household} on {self.bus}"


class CeremonyStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Ceremony(models.Model):
    """A key handover ceremony: date, place, the families invited."""

    district = models.ForeignKey("geography.Area", on_delete=models.PROTECT, related_name="+")
    complex = models.ForeignKey(
        "housing.ResidentialComplex",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("residential complex"),
    )
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CeremonyStatus.choices,
        default=CeremonyStatus.SCHEDULED,
    )
    status_reason = models.CharField(_("reason"), max_length=400, blank=True, default="")

    objects = ScopedByDistrict.as_manager()

    class Meta:
        ordering = ["held_at"]
        verbose_name = _("key handover ceremony")
        verbose_name_plural = _("key handover ceremonies")

    def __str__(self) -> str:
        return f"{self.place} {self.held_at:%Y-%m-%d}"


class Invitation(models.Model):
    ceremony = models.ForeignKey(Ceremony, on_delete=models.CASCADE, related_name="invitations")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="ceremony_invitations"
    )
    unit = models.ForeignKey("housing.Unit", on_delete=models.PROTECT, related_name="+")
    keys_handed_at = models.DateTimeField(_("keys handed at"), null=True, blank=True)
    keys_handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["ceremony", "household__reg_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["ceremony", "household"], name="one_invitation_per_ceremony"
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(keys_handed_at__isnull=False),
                name="keys_of_a_unit_handed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} at {self.ceremony}"


class Occupancy(models.Model):
    """A family living in a home, from move-in to move-out."""

    unit = models.ForeignKey("housing.Unit", on_delete=models.PROTECT, related_name="occupancies")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="occupancies"
    )
    moved_in_on = models.DateField(_("moved in on"))
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    move_out_reason = models.CharField(_("reason for moving out"), max_length=200, blank=True)

    objects = ScopedByHousehold.as_manager()

    class Meta:
        ordering = ["-moved_in_on"]
        verbose_name = _("occupancy")
        verbose_name_plural = _("occupancies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(moved_out_on__isnull=True), name="one_occupant_family"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(moved_out_on__isnull=True),
                name="one_home_lived_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} in {self.unit}"


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(QuickLabels, models.Model):
    """The outbox: every SMS or e-mail the programme sends, as sent."""

    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    to = models.CharField(pgettext_lazy("message", "to"), max_length=200)
    language = models.CharField(_("language"), max_length=5)
    template = models.CharField(_("template"), max_length=30)
    subject = models.CharField(pgettext_lazy("message", "subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=6, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedByHousehold.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.template} → {self.to}"


class OneTimeCode(models.Model):
    """A sign-in code for a family's self-service; only its hash is kept."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["household", "created_at"])]

    def __str__(self) -> str:
        return f"code for {self.household_id} at {self.created_at}"


class SignInAttemptKind(models.TextChoices):
    CODE_NUMBER = "code-number", _("codes sent to a registration number")
    CODE_CLIENT = "code-client", _("codes asked for by a client")
    FAIL_NUMBER = "fail-number", _("wrong codes for a registration number")
    FAIL_CLIENT = "fail-client", _("wrong codes from a client")


class SignInAttempt(models.Model):
    """How many family sign-in events one key had in one fixed window.

    The key (a registration number as typed, or a client address) is stored only as an HMAC,
    so the table names no family and no address; rows past their window only wait for purge.
    """

    kind = models.CharField(max_length=20, choices=SignInAttemptKind.choices)
    key_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key_hash", "window_start"], name="sign_in_attempt_once_per_window"
            )
        ]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key_hash[:8]}… {self.count} since {self.window_start}"
