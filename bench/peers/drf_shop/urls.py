"""The two benchmarked endpoints, at Relay's paths."""

from __future__ import annotations

from django.urls import path

from bench.peers.drf_shop.views import PlaceOrder, ProductDetail

urlpatterns = [
    path("products/<int:pk>", ProductDetail.as_view()),
    path("orders", PlaceOrder.as_view()),
]
