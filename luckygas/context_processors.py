from luckygas.roles import is_office


def roles(request):
    """Which menu the page shows: the office's, or the driver's."""
    return {"is_office": is_office(request.user)}
