"""The three roles of the company and the checks the views use."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

OFFICE = "辦公室"
MANAGER = "經理"
DRIVER = "司機"


def role_names(user):
    """The user's group names, read once per request."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return user._role_names


def is_manager(user):
    return user.is_authenticated and (user.is_superuser or MANAGER in role_names(user))


def is_office(user):
    """Office staff, and managers, who can do what the office does."""
    return is_manager(user) or OFFICE in role_names(user)


def office_required(view):
    """Office staff and managers only: anonymous visitors log in, others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_office(request.user):
            raise PermissionDenied("這個頁面只開放給辦公室人員與經理")
        return view(request, *args, **kwargs)

    return wrapper


def grant_model_permissions(apps, group_name, app_label, model_names):
    """Give a group every permission on the models, for data migrations."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    group, _ = Group.objects.get_or_create(name=group_name)
    for model in model_names:
        content_type, _ = ContentType.objects.get_or_create(
            app_label=app_label, model=model
        )
        for action in ("view", "add", "change", "delete"):
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            group.permissions.add(permission)


def driver_required(view):
    """Drivers with a driver record only: the view gets it as `driver`."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        driver = getattr(request.user, "driver", None)
        if driver is None or DRIVER not in role_names(request.user):
            raise PermissionDenied("這個頁面只開放給司機")
        return view(request, driver, *args, **kwargs)

    return wrapper
