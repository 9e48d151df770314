"""Pages of the customer portal at /portal/."""

from django.urls import path

from . import staff, views

urlpatterns: list = [
    path("portal/", views.home, name="portal"),
    path("portal/login/", views.login, name="portal-login"),
    path("portal/login/<str:token>/", views.login_link, name="portal-login-link"),
    path("portal/logout/", views.logout, name="portal-logout"),
    path("portal/cases/", views.case_list, name="portal-cases"),
    path("portal/cases/new/", views.case_new, name="portal-case-new"),
    path("portal/cases/<int:pk>/", views.case_detail, name="portal-case"),
    path("portal/articles/", views.article_list, name="portal-articles"),
    path("portal/articles/<int:pk>/", views.article_detail, name="portal-article"),
    path("portal/orders/", views.order_list, name="portal-orders"),
    path("portal/orders/<int:pk>/", views.order_detail, name="portal-order"),
    path("portal/invoices/", views.invoice_list, name="portal-invoices"),
    path("portal/invoices/<int:pk>/", views.invoice_detail, name="portal-invoice"),
    path("portal/invoices/<int:pk>/pdf/", views.invoice_pdf, name="portal-invoice-pdf"),
    # Staff: a contact's portal access.
    path("contacts/<int:pk>/portal-access/", staff.access_form, name="contacts-portal-access"),
]
