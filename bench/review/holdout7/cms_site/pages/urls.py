from django.contrib.admin.views.decorators import staff_member_required
from django.urls import path

from pages import views


def staff_only(patterns):
    for pattern in patterns:
        pattern.callback = staff_member_required(pattern.callback)
    return patterns


urlpatterns = [
    path("", views.PageListView.as_view()),
    path("<int:pk>/", views.PageDetailView.as_view()),
    path("<int:pk>/edit/", views.PageEditView.as_view()),
    path("templates/source/", views.TemplateSourceView.as_view()),
    path("templates/source-safe/", views.TemplateSourceSafeView.as_view()),
    path("revisions/feed/", views.RevisionFeed.as_view()),
    path("revisions/feed-limited/", views.RevisionFeedLimited.as_view()),
    path("<int:pk>/preview/", views.preview),
    path("go/", views.go),
]

urlpatterns += staff_only([
    path("<int:pk>/publish/", views.publish),
    path("unpublish-all/", views.unpublish_all),
])
