"""GET /products/<id> as a generic view; POST /orders as an APIView with Relay's token, stock and bounds.

Stock is taken the Django way: the order's products locked with `select_for_update()` in id order (so
concurrent orders queue and never deadlock), checked, then decremented with F() expressions; Django's
update() has no RETURNING, so this is one more round trip per order than Relay's conditional UPDATE.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import generics, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import APIException, AuthenticationFailed, NotAuthenticated, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.peers.drf_shop.models import Order, OrderLine, Product
from bench.peers.drf_shop.serializers import LineSerializer, OrderIn, OrderSerializer, ProductSerializer
from bench.peers.tokens import ORDERS_WRITE, Caller, TokenRefused, TokenVerifier

verifier = TokenVerifier.from_environment()


class AccessToken(BaseAuthentication):
    """`Authorization: Bearer <token>`, verified as Relay verifies it (bench/peers/tokens.py)."""

    def authenticate(self, request: Request) -> tuple[Caller, str] | None:
        scheme, _, token = get_authorization_header(request).decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            return verifier.verify(token.strip()), token
        except TokenRefused as refused:
            raise AuthenticationFailed(str(refused)) from refused

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="relay"'


class GrantsOrdersWrite(BasePermission):
    message = f"The token does not grant the {ORDERS_WRITE} scope."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.user is None:
            raise NotAuthenticated("Send an access token: Authorization: Bearer <token>.")
        return ORDERS_WRITE in request.user.scopes


class ProductDetail(generics.RetrieveAPIView):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PlaceOrder(APIView):
    authentication_classes = (AccessToken,)
    permission_classes = (GrantsOrdersWrite,)

    def post(self, request: Request) -> Response:
        incoming = OrderIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        quantities: Counter[int] = Counter()
        for line in incoming.validated_data["lines"]:
            quantities[line["product_id"]] += line["quantity"]
        with transaction.atomic():
            products = Product.objects.select_for_update().filter(id__in=quantities).order_by("id")
            prices = {product.id: self._take(product, quantities[product.id]) for product in products}
            unknown = sorted(quantities.keys() - prices.keys())
            if unknown:
                raise ValidationError({"lines": [f"product {number} does not exist" for number in unknown]})
            now = timezone.now()
            order = Order.objects.create(
                status="placed",
                total_cents=sum(quantities[id_] * price for id_, price in prices.items()),
                created_at=now,
                updated_at=now,
            )
            lines = OrderLine.objects.bulk_create(
                OrderLine(order=order, product_id=id_, quantity=quantities[id_], unit_price_cents=prices[id_])
                for id_ in sorted(prices)
            )
        answer = {**OrderSerializer(order).data, "lines": LineSerializer(lines, many=True).data}
        return Response(answer, status.HTTP_201_CREATED, headers={"Location": f"/orders/{order.id}"})

    @staticmethod
    def _take(product: Product, quantity: int) -> int:
        """Decrement the locked product's stock; its unit price. 409 when short."""
        if product.stock < quantity:
            raise Conflict(f"Product {product.id} has {product.stock} in stock; {quantity} requested.")
        Product.objects.filter(id=product.id).update(
            stock=F("stock") - quantity, version=F("version") + 1, updated_at=timezone.now()
        )
        return product.price_cents
