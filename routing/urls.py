from django.urls import path

from routing import driver_views, views

app_name = "routing"

urlpatterns = [
    path("due/", views.due_list, name="due"),
    path("due/call-ahead/", views.call_ahead, name="call-ahead"),
    path("due/postpone/", views.postpone, name="postpone"),
    path(
        "postponements/<int:postponement_id>/cancel/",
        views.postponement_cancel,
        name="postponement-cancel",
    ),
    path("runs/", views.route_list, name="runs"),
    path("runs/<int:route_id>/", views.route_detail, name="route"),
    path("runs/<int:route_id>/fill/", views.route_fill, name="route-fill"),
    path("runs/<int:route_id>/add/", views.route_add_stop, name="route-add"),
    path("runs/<int:route_id>/sheet/", views.dispatch_sheet, name="sheet"),
    path("stops/<int:stop_id>/move/", views.stop_move, name="stop-move"),
    path("stops/<int:stop_id>/transfer/", views.stop_transfer, name="stop-transfer"),
    path("stops/<int:stop_id>/remove/", views.stop_remove, name="stop-remove"),
    path("driver/", driver_views.today_routes, name="driver"),
    path("driver/runs/<int:route_id>/", driver_views.route, name="driver-route"),
    path("driver/stops/<int:stop_id>/", driver_views.stop, name="driver-stop"),
    path(
        "driver/runs/<int:route_id>/start/",
        driver_views.start_route,
        name="driver-start",
    ),
    path(
        "driver/runs/<int:route_id>/finish/",
        driver_views.finish_route,
        name="driver-finish",
    ),
]
