"""Relay's tables as Django models; Relay's migrations own them (`managed = False`)."""

from __future__ import annotations

from django.db import models


class RelayRecord(models.Model):
    """A row of one of Relay's tables with its two timestamps."""

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        abstract = True
        managed = False


class Product(RelayRecord):
    id = models.BigAutoField(primary_key=True)
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField()
    price_cents = models.BigIntegerField()
    stock = models.IntegerField()
    version = models.IntegerField()

    class Meta(RelayRecord.Meta):
        db_table = "products"


class Order(RelayRecord):
    id = models.BigAutoField(primary_key=True)
    status = models.CharField(max_length=16)
    total_cents = models.BigIntegerField()

    class Meta(RelayRecord.Meta):
        db_table = "orders"


class OrderLine(models.Model):
    pk = models.CompositePrimaryKey("order", "product")
    order = models.ForeignKey(Order, models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, models.PROTECT, related_name="+")
    quantity = models.IntegerField()
    unit_price_cents = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "order_lines"
