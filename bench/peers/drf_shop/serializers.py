"""ModelSerializers for the answers (Relay's field order), plain serializers for the order's body."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.db import models
from rest_framework import serializers

from bench.peers.drf_shop.models import Order, OrderLine, Product

MAX_ID = 2**63 - 1


class Timestamp(serializers.DateTimeField):
    """Relay writes `+00:00`; DRF would write `Z` for the same instant."""

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class RelayModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping: ClassVar[dict[Any, Any]] = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: Timestamp,
    }


class ProductSerializer(RelayModelSerializer):
    class Meta:
        model = Product
        fields = (
            "id",
            "sku",
            "name",
            "description",
            "price_cents",
            "stock",
            "version",
            "created_at",
            "updated_at",
        )


class LineSerializer(RelayModelSerializer):
    class Meta:
        model = OrderLine
        fields = ("product_id", "quantity", "unit_price_cents")


class OrderSerializer(RelayModelSerializer):
    class Meta:
        model = Order
        fields = ("id", "status", "total_cents", "created_at", "updated_at")


class LineIn(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class OrderIn(serializers.Serializer):
    lines = LineIn(many=True, min_length=1, max_length=50)
