"""The travel network: nodes (places) and edges (roads, tunnels, passes...) as in
docs/contracts/network.md. Network data is national: every role reads it, only
administrators change it. ``adapter.py`` turns these rows into the engine's ``Network``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homecoming.core.identifiers import validate_identifier
from homecoming.network.engine.readers import EDGE_COLUMNS

if TYPE_CHECKING:
    from homecoming.accounts.models import Profile


class Role(models.TextChoices):
    """What a node is for, in accessibility: which node is the district centre, a hospital,
    the regional city. The node's ``kind`` stays the contract's free text."""

    NONE = "", _("—")
    DISTRICT_CENTRE = "district_centre", _("District centre")
    HOSPITAL = "hospital", _("Hospital")
    REGIONAL_CITY = "regional_city", _("Regional city")


class Mode(models.TextChoices):
    ROAD = "road", _("Road")
    TUNNEL = "tunnel", _("Tunnel")
    PASS = "pass", _("Mountain pass")
    CABLEWAY = "cableway", _("Cableway")
    RAIL = "rail", _("Railway")
    AIR = "air", _("Flight")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    CONSTRUCTION = "construction", _("Under construction")
    PLANNED = "planned", _("Planned")


class State(models.TextChoices):
    """What an edge is on one date, as the engine counts it (``Edge.usable_on``): a road
    under construction whose opening date has passed is open, and says so."""

    OPEN = "open", _("Open")
    OPENED = "opened", _("Open (project finished)")
    WINTER = "winter", _("Closed for the season")
    CONSTRUCTION = "construction", _("Under construction")
    PLANNED = "planned", _("Planned")


def state_on(status: str, opens_on: date | None, closed_months: str, on: date) -> State:
    """An edge's state on ``on``: the engine's rule (docs/contracts/network.md) in words.

    >>> state_on("construction", date(2026, 10, 30), "", date(2026, 11, 29))
    State.OPENED
    >>> state_on("construction", date(2026, 12, 1), "", date(2026, 11, 29))
    State.CONSTRUCTION
    >>> state_on("open", None, "11,12,1", date(2026, 12, 15))
    State.WINTER
    """
    if str(on.month) in {m.strip() for m in closed_months.split(",")}:
        return State.WINTER
    if status == Status.OPEN:
        return State.OPEN
    if opens_on is not None and opens_on <= on:
        return State.OPENED
    return State(status)


class NodeQuerySet(models.QuerySet["Node"]):
    def for_profile(self, profile: Profile) -> NodeQuerySet:
        """Network data is national: every role sees every node."""
        return self


class Node(models.Model):
    node_id = models.CharField(
        _("node id"), max_length=80, unique=True, validators=[validate_identifier]
    )
    name = models.CharField(_("name"), max_length=200)
    lat = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lon = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    kind = models.CharField(
        _("kind"),
        max_length=40,
        default="settlement",
        help_text=_("settlement, junction, airport, station, service or any other text"),
    )
    role = models.CharField(
        _("role in accessibility"), max_length=20, choices=Role.choices, blank=True, default=""
    )
    # A settlement node stands for that settlement; a district centre node serves a district.
    area = models.ForeignKey(
        "geography.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="network_nodes",
        limit_choices_to={"level__in": ["settlement", "district"]},
        verbose_name=_("settlement or district"),
    )

    objects = NodeQuerySet.as_manager()

    class Meta:
        ordering = ["node_id"]
        verbose_name = _("network node")
        verbose_name_plural = _("network nodes")
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90) & Q(lon__gte=-180, lon__lte=180),
                name="network_node_coordinates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.node_id}]"


class EdgeQuerySet(models.QuerySet["Edge"]):
    def for_profile(self, profile: Profile) -> EdgeQuerySet:
        """Network data is national: every role sees every edge."""
        return self

    def projects(self) -> EdgeQuerySet:
        """Edges that are, or were, a project: not open yet, or with an opening date."""
        return self.filter(~Q(status=Status.OPEN) | Q(opens_on__isnull=False))


class Edge(models.Model):
    edge_id = models.CharField(
        _("edge id"), max_length=120, unique=True, validators=[validate_identifier]
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Edges sharing a project label are one project (a highway in several sections).
    project = models.CharField(
        _("project"),
        max_length=120,
        blank=True,
        help_text=_("Edges with the same project label count as one project."),
    )
    from_node = models.ForeignKey(
        Node, on_delete=models.CASCADE, related_name="edges_out", verbose_name=_("from")
    )
    to_node = models.ForeignKey(
        Node, on_delete=models.CASCADE, related_name="edges_in", verbose_name=_("to")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ROAD)
    length_km = models.FloatField(_("length (km)"))
    speed_kmh = models.FloatField(_("speed (km/h)"), null=True, blank=True)
    minutes = models.FloatField(
        _("fixed minutes"),
        null=True,
        blank=True,
        help_text=_("A fixed time, waiting included (cableways, flights)."),
    )
    oneway = models.BooleanField(_("one-way"), default=False)
    closed_months = models.CharField(
        _("closed months"),
        max_length=40,
        blank=True,
        help_text=_('Months in which the edge cannot be used, e.g. "11,12,1,2,3,4".'),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)

    objects = EdgeQuerySet.as_manager()

    class Meta:
        ordering = ["edge_id"]
        verbose_name = _("network edge")
        verbose_name_plural = _("network edges")
        constraints = [
            models.CheckConstraint(condition=Q(length_km__gt=0), name="network_edge_length"),
            models.CheckConstraint(
                condition=Q(speed_kmh__isnull=True) | Q(speed_kmh__gt=0),
                name="network_edge_speed_positive",
            ),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gt=0),
                name="network_edge_minutes_positive",
            ),
            models.CheckConstraint(
                condition=Q(speed_kmh__isnull=False) | Q(minutes__isnull=False),
                name="network_edge_speed_or_minutes",
            ),
            models.CheckConstraint(
                condition=~Q(from_node=models.F("to_node")), name="network_edge_not_a_loop"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.edge_id

    @property
    def project_key(self) -> str:
        """The project this edge belongs to: its label, else the edge on its own."""
        return self.project or self.edge_id

    def state_on(self, on: date) -> State:
        return state_on(self.status, self.opens_on, self.closed_months, on)

    @property
    def travel_minutes(self) -> float:
        if self.minutes is not None:
            return self.minutes
        assert self.speed_kmh is not None  # the check constraint
        return self.length_km / self.speed_kmh * 60.0


#: The contract's edge columns (docs/contracts/network.md) under the model's names.
CONTRACT_TO_MODEL = {"from": "from_node", "to": "to_node"}
#: The editable fields of an edge: a name and a project, then the contract's columns in its
#: order (API, edit form and the adapter share them).
EDGE_FIELDS = [
    EDGE_COLUMNS[0],
    "name",
    "project",
    *(CONTRACT_TO_MODEL.get(column, column) for column in EDGE_COLUMNS[1:]),
]
