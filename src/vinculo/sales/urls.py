"""Pages of the sales module beyond the generic resource pages.

Included before the generic pages, so the forms of quotes, orders and invoices here (with
their lines) take the place of the generic ones.
"""

from django.urls import path

from . import views

urlpatterns: list = []
for _entity in views.DOCUMENTS:
    urlpatterns += [
        path(f"{_entity}/new/", views.document_form, {"entity": _entity},
             name=f"{_entity}-new"),
        path(f"{_entity}/<int:pk>/edit/", views.document_form, {"entity": _entity},
             name=f"{_entity}-edit"),
        path(f"{_entity}/<int:pk>/pdf/", views.document_pdf, {"entity": _entity},
             name=f"{_entity}-pdf"),
    ]

urlpatterns += [
    path("quotes/<int:pk>/accept/", views.quote_accept, name="quotes-accept"),
    path("quotes/<int:pk>/send/", views.quote_send, name="quotes-send"),
    path("orders/<int:pk>/invoice/", views.order_invoice, name="orders-invoice"),
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="invoices-issue"),
    path("invoices/<int:pk>/credit-note/", views.invoice_credit_note,
         name="invoices-credit-note"),
    path("price-lists/<int:pk>/prices/", views.price_entries, name="price-lists-prices"),
]
