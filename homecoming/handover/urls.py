"""URLs of the handover: officer pages under /handover/, family self-service under /family/."""

from django.urls import path

from homecoming.handover import bulk_offers, family, views

officer_patterns = (
    [
        path("", views.overview, name="overview"),
        path("offers/new/", views.offer_manual, name="offer-new"),
        path("offers/pick/", bulk_offers.offer_pick, name="offer-pick"),
        path("offers/expire/", views.expire_now, name="expire"),
        path("offers/<int:pk>/", views.offer_detail, name="offer"),
        path("offers/<int:pk>/<str:what>/", views.offer_act, name="offer-act"),
        path("swaps/", views.swaps, name="swaps"),
        path("swaps/<int:pk>/consent/<str:side>/", views.swap_consent, name="swap-consent"),
        path("appeals/", views.appeals, name="appeals"),
        path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal-decide"),
        path("convoys/", views.convoys, name="convoys"),
        path("convoys/<int:pk>/", views.convoy_detail, name="convoy"),
        path("convoys/<int:pk>/status/", views.convoy_status, name="convoy-status"),
        path("buses/<int:pk>/manifest/", views.manifest, name="manifest"),
        path("ceremonies/", views.ceremonies, name="ceremonies"),
        path("ceremonies/<int:pk>/", views.ceremony_detail, name="ceremony"),
        path("ceremonies/<int:pk>/status/", views.ceremony_status, name="ceremony-status"),
        path("ceremonies/<int:pk>/receipts.pdf", views.ceremony_receipts, name="receipts"),
        path(
            "ceremonies/<int:pk>/receipts/<int:household>.pdf",
            views.ceremony_receipts,
            name="receipt",
        ),
        path(
            "ceremonies/<int:pk>/<int:invitation>/<str:what>/",
            views.ceremony_act,
            name="ceremony-act",
        ),
        path("occupancy/", views.occupancy, name="occupancy"),
        path("occupancy/<int:pk>/move-out/", views.move_out, name="move-out"),
        path("outbox/", views.outbox, name="outbox"),
    ],
    "handover",
)

family_patterns = (
    [
        path("", family.home, name="home"),
        path("sign-in/", family.sign_in, name="sign-in"),
        path("code/", family.enter_code, name="code"),
        path("sign-out/", family.sign_out, name="sign-out"),
        path("offers/<int:pk>/<str:what>/", family.answer, name="answer"),
        path("appeal/", family.appeal, name="appeal"),
    ],
    "family",
)
