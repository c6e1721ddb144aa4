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
