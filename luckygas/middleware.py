"""Request checks every page shares."""

from django.http import HttpResponseBadRequest


class RefuseNulCharacters:
    """A NUL in the address is never a real search; PostgreSQL cannot even
    compare text with one, so turn it away before it reaches a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = [request.path, *request.GET.values(), *request.POST.values()]
        if any("\x00" in value for value in values):
            return HttpResponseBadRequest("網址或表單含有無效的字元（NUL）")
        return self.get_response(request)
