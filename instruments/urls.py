from django.urls import path, re_path

from . import views

app_name = "instruments"
urlpatterns = [
    path("instruments/", views.InstrumentListView.as_view(), name="list"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="detail"),
    path("compare/", views.compare, name="compare"),
    path("compare/states/", views.compare_states, name="compare-states"),
    path("states/", views.StateListView.as_view(), name="state-list"),
    re_path(r"^states/(?P<code>[A-Za-z]{2})/$", views.state_detail, name="state"),
]
