from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from luckygas import views

admin.site.site_header = "幸福氣 管理後台"
admin.site.site_title = "幸福氣"
admin.site.index_title = "資料管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("customers/", include("customers.urls")),
    path("", include("deliveries.urls")),
    path("routing/", include("routing.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
