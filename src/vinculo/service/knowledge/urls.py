"""Pages of the knowledge base (before the generic resource pages)."""

from django.urls import path

from vinculo.web import generic

from . import views

_kw = {"resource": views.articles}

urlpatterns: list = [
    path("knowledge/", views.article_list, name="knowledge"),
    path("knowledge/new/", generic.create_view, _kw, name="knowledge-new"),
    path("knowledge/<int:pk>/", views.article_detail, name="knowledge-article"),
    path("knowledge/<int:pk>/edit/", generic.edit_view, _kw, name="knowledge-edit"),
    path("knowledge/<int:pk>/publish/", views.article_publish, name="knowledge-publish"),
    path("knowledge/<int:pk>/versions/<int:number>/", views.version_detail,
         name="knowledge-version"),
    # The generic pages of articles lead to the knowledge base's own.
    path("knowledge-articles/", views.to_list),
    path("knowledge-articles/<int:pk>/", views.to_article),
    path("cases/<int:pk>/articles/", views.case_link, name="cases-articles-link"),
    path("cases/<int:pk>/articles/<int:article_id>/delete/", views.case_unlink,
         name="cases-articles-unlink"),
]
