from django.urls import path

from routing import views

app_name = "routing"

urlpatterns = [
    path("due/", views.due_list, name="due"),
    path("due/postpone/", views.postpone, name="postpone"),
]
