from luckygas.roles import is_office


def roles(request):
    """Which menu the page shows: the office's, or the driver's. A request
    turned away before the login is known (a 400) has no user."""
    return {"is_office": hasattr(request, "user") and is_office(request.user)}
