"""REST endpoints of products and orders."""

from ninja import Router

from vinculo.platform.crud import resource_router

from .models import Order
from .schemas import OrderIn, OrderOut, OrderPatch, ProductIn, ProductOut, ProductPatch

products = resource_router("products", In=ProductIn, Patch=ProductPatch, Out=ProductOut)
orders = resource_router(
    "orders", In=OrderIn, Patch=OrderPatch, Out=OrderOut,
    queryset=lambda: Order.all_objects.prefetch_related("lines"),
)

router = Router()
router.add_router("/products", products)
router.add_router("/orders", orders)
