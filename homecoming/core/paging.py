"""Pages of long lists that cost the same on page 1 and page 4,000 (issue 13).

Django's Paginator counts every matching row on every page (COUNT(*) over a registry of a
million) and reads a far page with OFFSET over whole rows. `bounded_page` instead:

- counts at most `CAP` rows (``SELECT COUNT(*) FROM (... LIMIT CAP + 1)``): a list longer
  than that says "more than 10,000" and numbers its pages without a last one;
- reads the page's ids first, ordered and offset, from the list's ordering index alone
  (an index-only scan where the index ends with the id), then the rows themselves, with
  their annotations, by id: the expensive columns are computed for the page only;
- knows whether there is a next page by asking for one id more.

So a page is three queries whatever the list's length or the page's number.

The API's pages (`ApiPagination`) give an exact `count`, as clients of a paged API expect:
counted fresh up to CAP rows, and beyond that kept a minute (`counted`), since counting a
million rows took longer than reading the page.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

#: Rows counted at most; a longer list's count is shown as "more than CAP".
CAP = 10_000
#: How long the API keeps the exact count of a list longer than CAP.
COUNT_SECONDS = 60


@dataclass
class BoundedPage:
    """One page of a list; the template's `page` (number, object_list, has_next...)."""

    number: int
    per_page: int
    object_list: list[Any] = field(default_factory=list)
    count: int = 0  # exact when not `capped`
    capped: bool = False
    more: bool = False
    cap: int = 0  # the most rows counted

    @property
    def num_pages(self) -> int | None:
        """The last page's number, unknown (None) when the count is capped."""
        return None if self.capped else max(1, math.ceil(self.count / self.per_page))

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_number(text: Any) -> int:
    """A requested page number; anything else is page 1.

    >>> page_number("4000"), page_number("x"), page_number(None), page_number("-3")
    (4000, 1, 1, 1)
    """
    try:
        return max(1, int(text))
    except (TypeError, ValueError):
        return 1


def bounded_page(
    ordered: QuerySet[Any], rows: QuerySet[Any], number: Any, per_page: int = 50
) -> BoundedPage:
    """Page `number` of `ordered` (a queryset with its final filters and order); the rows
    are read from `rows` (the same model, with select_related and annotations) by id.

    A number past the last page gives the last page, as Django's `get_page` does.
    """
    page = BoundedPage(number=page_number(number), per_page=per_page, cap=CAP)
    ids_only = ordered.values_list("pk", flat=True)
    page.count = ordered.order_by().values("pk")[: page.cap + 1].count()
    page.capped = page.count > page.cap
    if not page.capped:
        last = page.num_pages or 1
        page.number = min(page.number, last)
    start = (page.number - 1) * per_page
    ids = list(ids_only[start : start + per_page + 1])
    page.more = len(ids) > per_page
    ids = ids[:per_page]
    found = rows.in_bulk(ids) if ids else {}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def counted(rows: QuerySet[Any]) -> int:
    """How many rows `rows` has: exact and fresh up to CAP (one bounded count); a longer
    list's exact count is kept COUNT_SECONDS per query text, so a million-row list is
    counted once a minute, not on every page.

    A cached count is never wrong by more than the rows written in that minute, and the
    pages themselves are always read fresh."""
    bounded = rows.order_by().values("pk")[: CAP + 1].count()
    if bounded <= CAP:
        return bounded
    sql, params = rows.order_by().query.sql_with_params()
    key = "rows-count:" + hashlib.sha256(repr((rows.db, sql, params)).encode()).hexdigest()
    total = cache.get(key)
    if total is None:
        total = rows.order_by().count()
        cache.set(key, total, COUNT_SECONDS)
    return int(total)


class DeferredJoinPaginator(Paginator):  # type: ignore[type-arg]
    """Django's Paginator, but a page's rows are read by id after their ids: the ordered,
    offset query reads only ids (from an index where one covers the order), and the rows,
    with their annotations and relations, are read for the page alone. The count is
    `counted`'s: exact up to CAP, a minute old at most beyond it."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        query = getattr(rows, "query", None)
        if not isinstance(rows, QuerySet) or query is None:
            return int(super().count)
        if query.distinct or query.values_select or query.combinator:
            return int(super().count)  # rows are not one per id: Django's own count
        return counted(rows)

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page  # not cut at a count that may be a minute old
        rows = self.object_list
        query = getattr(rows, "query", None)
        if not isinstance(rows, QuerySet) or query is None:
            return super().page(number)
        if query.distinct or query.values_select or query.combinator:
            return super().page(number)
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        found = rows.order_by().in_bulk(ids) if ids else {}
        return Page([found[pk] for pk in ids if pk in found], number, self)


class ApiPagination(PageNumberPagination):
    """The API's pages (PAGE_SIZE rows, `?page=`), read by `DeferredJoinPaginator`."""

    django_paginator_class = DeferredJoinPaginator
