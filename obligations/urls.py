from django.urls import path

from . import views

app_name = "obligations"
urlpatterns = [
    path("norms/", views.NormListView.as_view(), name="norm-list"),
    path("norms/<slug:slug>/", views.norm_detail, name="norm"),
    path("obligations/", views.ObligationListView.as_view(), name="obligation-list"),
    path("obligations/<slug:slug>/", views.obligation_detail, name="obligation"),
    path("responses/", views.ladder, name="ladder"),
    path("responses/<slug:slug>/", views.measure_detail, name="measure"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("matrix/", views.matrix, name="matrix"),
    path("positions/", views.positions, name="positions"),
    path("positions/<slug:slug>/", views.question_detail, name="question"),
    path("incidents/", views.IncidentListView.as_view(), name="incident-list"),
    path("incidents/<slug:slug>/", views.incident_detail, name="incident"),
]
