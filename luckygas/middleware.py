"""Request checks and logs every page shares."""

import logging
import time
from textwrap import shorten

from django.conf import settings
from django.db import connection
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

slow_log = logging.getLogger("luckygas.slow")
# How much of a slow query's SQL the log keeps.
SQL_SHOWN = 300


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


class LogSlowRequests:
    """Leave a trace of what is slow: each query over SLOW_QUERY_MS with its
    time, the page and the SQL (shortened), and each request over
    SLOW_REQUEST_MS with its time and number of queries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = 0

        def timed(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                ms = (time.perf_counter() - started) * 1000
                if ms >= settings.SLOW_QUERY_MS:
                    slow_log.warning(
                        "慢查詢 %.0f ms %s %s：%s",
                        ms,
                        request.method,
                        request.path,
                        shorten(" ".join(sql.split()), SQL_SHOWN, placeholder=" …"),
                    )

        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            response = self.get_response(request)
        ms = (time.perf_counter() - started) * 1000
        if ms >= settings.SLOW_REQUEST_MS:
            slow_log.warning(
                "慢頁面 %.0f ms %s %s，%d 個查詢，狀態 %s",
                ms,
                request.method,
                request.path,
                queries,
                response.status_code,
            )
        return response


class PrivatePages:
    """What a logged-in user was shown is never kept by the browser: after
    登出 on a shared phone, the back button asks the server again (and gets
    the login page) instead of showing the customers from its cache. A
    method a page does not take (a typed /logout/) is explained in Chinese,
    not left blank."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        if response.status_code == 405 and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
