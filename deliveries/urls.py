from django.urls import path

from deliveries import views

app_name = "deliveries"

urlpatterns = [
    path("deliveries/", views.history_list, name="history"),
    path("deliveries/export/", views.history_export, name="history-export"),
    path("deliveries/upload/", views.upload_list, name="upload-list"),
    path("orders/", views.order_list, name="order-list"),
    path("orders/new/", views.order_create, name="order-create"),
    path("orders/<int:order_id>/edit/", views.order_edit, name="order-edit"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order-cancel"),
]
