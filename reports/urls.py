from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("daily/", views.daily, name="daily"),
    path("monthly/", views.monthly, name="monthly"),
    path("consumption/", views.consumption_report, name="consumption"),
    path("statement/", views.statement, name="statement"),
]
