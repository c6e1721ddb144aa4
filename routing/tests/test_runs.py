import datetime as dt
import threading
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import Customer
from deliveries.models import Delivery
from routing import runs
from routing.models import Route, RouteStop
from routing.tests.conftest import DAY, due_customer, on_site, phone_order

pytestmark = pytest.mark.django_db


def codes(route):
    return [stop.customer.code for stop in route.stops.order_by("sequence")]


def test_filling_a_run_takes_its_group_by_time_slot_then_address(make_route):
    due_customer("1500001", area="A", time_slot=2, address="臺東市中華路1號")
    due_customer("1500002", area="B", time_slot=1, address="臺東市四維路9號")
    due_customer("1500003", area="Y", time_slot=1, address="臺東市四維路2號")
    due_customer("1500004", area="C")
    household = Customer.objects.create(code="7000001", address="臺東市更生路5號")
    household.area_id = due_customer("1500005", area="M", time_slot=0).area_id
    household.save()
    order = phone_order(household, std20=1)
    route = make_route("南早")

    response_added = runs.fill_route(route, "south")

    assert len(response_added) == 5
    assert codes(route) == ["1500003", "1500002", "1500001", "7000001", "1500005"]
    assert route.stops.get(customer=household).order == order
    # A second fill finds no one left; the north run gets the north customer.
    assert runs.fill_route(route, "south") == []
    north = make_route("北早")
    runs.fill_route(north, "north")
    assert codes(north) == ["1500004"]


def test_a_car_run_is_filled_without_motorcycle_customers(make_route, motorcycle):
    due_customer("1500001", vehicle=Customer.Vehicle.MOTORCYCLE)
    due_customer("1500002", vehicle=Customer.Vehicle.CAR)
    due_customer("1500003", vehicle=Customer.Vehicle.EITHER)

    car_run = make_route("南早")
    runs.fill_route(car_run, "south")
    bike_run = make_route("門市車", vehicle=motorcycle)
    runs.fill_route(bike_run, "south")

    assert codes(car_run) == ["1500002", "1500003"]
    assert codes(bike_run) == ["1500001"]


def test_a_fill_that_no_customer_fits_says_why(office_client, make_route):
    due_customer("1500001", vehicle=Customer.Vehicle.MOTORCYCLE)
    car_run = make_route("南早")
    url = reverse("routing:route-fill", args=[car_run.pk])

    page = office_client.post(url, {"group": "south"}, follow=True).content.decode()
    assert "南區還有 1 位尚未排車，但都不能用ABC-1234（汽車）送" in page

    page = office_client.post(url, {"group": "north"}, follow=True).content.decode()
    assert "北區沒有尚未排車的待配送客戶" in page


def test_stops_move_up_down_and_to_another_run(office_client, make_route):
    for code in ("1500001", "1500002", "1500003"):
        due_customer(code, address=f"臺東市{code}")
    south = make_route("南早")
    runs.fill_route(south, "south")
    north = make_route("北早")
    third = south.stops.get(customer__code="1500003")

    office_client.post(
        reverse("routing:stop-move", args=[third.pk]), {"direction": "up"}
    )
    assert codes(south) == ["1500001", "1500003", "1500002"]

    first = south.stops.get(customer__code="1500001")
    office_client.post(
        reverse("routing:stop-move", args=[first.pk]), {"direction": "up"}
    )
    assert codes(south) == ["1500001", "1500003", "1500002"]

    moved = office_client.post(
        reverse("routing:stop-transfer", args=[first.pk]), {"route": north.pk}
    )
    assert moved["Location"] == south.get_absolute_url()
    assert codes(south) == ["1500003", "1500002"]
    assert codes(north) == ["1500001"]
    assert [stop.sequence for stop in south.stops.order_by("sequence")] == [1, 2]

    office_client.post(reverse("routing:stop-remove", args=[third.pk]))
    assert codes(south) == ["1500002"]
    assert [entry.customer.code for entry in runs.unplanned_entries(DAY)] == ["1500003"]


def test_a_recorded_stop_cannot_be_moved_or_removed(office_client, make_route):
    due_customer("1500001")
    route = make_route()
    runs.fill_route(route, "south")
    stop = route.stops.get()
    stop.outcome = "delivered"
    stop.save()

    response = office_client.post(
        reverse("routing:stop-remove", args=[stop.pk]), follow=True
    )

    assert "不能移除" in response.content.decode()
    assert RouteStop.objects.filter(pk=stop.pk).exists()


def test_adding_a_customer_twice_on_one_day_is_refused(office_client, make_route):
    due_customer("1500001")
    south, north = make_route("南早"), make_route("北早")
    url = reverse("routing:route-add", args=[south.pk])
    office_client.post(url, {"customer": "1500001"})

    response = office_client.post(
        reverse("routing:route-add", args=[north.pk]),
        {"customer": "1500001"},
        follow=True,
    )
    assert "已經在當天的「南早」車次" in response.content.decode()
    missing = office_client.post(url, {"customer": "9999999"}, follow=True)
    assert "找不到客戶 9999999" in missing.content.decode()
    assert codes(south) == ["1500001"] and codes(north) == []


def warnings_of(route):
    return {entry.customer.code: entry.warnings for entry in runs.planned_stops(route)}


def test_vehicle_warnings_both_ways(office_client, make_route, motorcycle):
    route = make_route("南早")
    bike_run = make_route("門市車", vehicle=motorcycle)
    bike = due_customer("1500001", vehicle=Customer.Vehicle.MOTORCYCLE)
    car = due_customer("1500002", vehicle=Customer.Vehicle.CAR)
    either = due_customer("1500003", vehicle=Customer.Vehicle.EITHER)
    runs.append_stops(route, [runs.due.DueEntry.of(bike), runs.due.DueEntry.of(either)])
    runs.append_stops(bike_run, [runs.due.DueEntry.of(car)])

    assert warnings_of(route) == {
        "1500001": ["只能機車送，卻排在汽車車次"],
        "1500003": [],
    }
    assert warnings_of(bike_run) == {"1500002": ["需要汽車送，卻排在機車車次"]}
    page = office_client.get(route.get_absolute_url()).content.decode()
    assert "只能機車送，卻排在汽車車次" in page


def test_hours_and_closed_day_warnings(make_route):
    route = make_route("南早", start=dt.time(8))
    evening = due_customer("1500001", time_slot=Customer.TimeSlot.EVENING)
    open_late = due_customer("1500002", open_hours=[14, 15])
    closed = due_customer("1500003", closed_weekdays="2")
    fine = due_customer("1500004", open_hours=[8, 9, 10])
    entries = [runs.due.DueEntry.of(c) for c in (fine, evening, open_late, closed)]
    runs.append_stops(route, entries)

    warnings = warnings_of(route)
    assert warnings["1500004"] == []
    assert warnings["1500001"] == ["預計 08:15 到，客戶收貨時間 晚"]
    assert warnings["1500002"] == ["預計 08:30 到，客戶收貨時間 14~16"]
    assert warnings["1500003"][0] == "當天公休（星期二）"


def test_an_outer_line_plans_three_stops_an_hour(make_route):
    route = make_route("外線", start=dt.time(13))
    for number in range(4):
        due_customer(f"150000{number}", area="F")
    runs.fill_route(route, "outer")
    arrivals = [entry.arrival for entry in runs.planned_stops(route)]
    assert arrivals == [dt.time(13), dt.time(13, 20), dt.time(13, 40), dt.time(14)]


def sheet_route(make_route):
    """A run of two stops: a phone order, and a customer's cylinders on site."""
    ordered = due_customer("1500001", address="臺東市中華路一段1號")
    phone_order(ordered, std20=2, std10=3, happy4=1, note="後門進")
    on_site(due_customer("1500002", address="臺東市四維路2號"), std50=1, safe10=2)
    route = make_route("南早")
    runs.fill_route(route, "south")
    return route


def test_the_dispatch_sheet_counts_cylinders_and_kg(office_client, make_route):
    route = sheet_route(make_route)

    response = office_client.get(reverse("routing:sheet", args=[route.pk]))

    page = response.content.decode()
    # 10 kg, 4 kg, 瓶安 and 幸福丸 are not counted; every kilogram is.
    assert response.context["totals"] == {
        "cylinders": 3,
        "kg": 2 * 20 + 3 * 10 + 4 + 50 + 2 * 10,
    }
    assert '<span data-total="cylinders">3</span>' in page
    assert "114/05/27" in page and "ABC-1234" in page and "08:00" in page
    assert "20公斤×2、10公斤×3、幸福丸×1" in page and "後門進" in page
    assert "50公斤×1、瓶安桶10×2" in page
    assert "出車里程 ＿" in page and "回車里程 ＿" in page
    assert 'href="https://www.google.com/maps/dir/?api=1' in page
    assert page.count('class="segno"') == 1  # a QR code of the link


def test_the_dispatch_sheet_in_excel(office_client, make_route):
    route = sheet_route(make_route)

    response = office_client.get(
        reverse("routing:sheet", args=[route.pk]), {"format": "xlsx"}
    )

    assert "filename*=UTF-8''%E6%B4%BE" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.column_dimensions["D"].width == 30
    rows = list(sheet.values)
    assert rows[0][:4] == ("日期", "114/05/27", "車次", "南早")
    assert rows[2][:4] == ("順序", "客戶", "簡稱", "地址")
    assert rows[3][:2] == (1, "1500001")
    assert rows[3][7] == "20公斤×2、10公斤×3、幸福丸×1"
    totals = next(row for row in rows if row[0] == "瓶數合計")
    assert totals[:4] == ("瓶數合計", 3, "總公斤數", 144)
    assert any(row[0] == "出車里程" for row in rows)


def test_directions_are_split_into_links_of_four_stops():
    addresses = [f"臺東市路{n}號" for n in range(1, 11)]

    links = runs.directions_links(addresses)

    queries = [parse_qs(urlsplit(link).query) for link in links]
    assert len(links) == 3
    assert "origin" not in queries[0]
    assert queries[0]["waypoints"][0].split("|") == addresses[:3]
    assert queries[0]["destination"] == ["臺東市路4號"]
    assert queries[1]["origin"] == ["臺東市路4號"]
    assert queries[1]["waypoints"][0].split("|") == addresses[4:7]
    assert queries[2]["origin"] == ["臺東市路8號"]
    assert queries[2]["waypoints"][0].split("|") == addresses[8:9]
    assert queries[2]["destination"] == ["臺東市路10號"]
    assert runs.directions_links([]) == []


def test_creating_a_run_and_refusing_a_duplicate_name(office_client, car):
    url = f"{reverse('routing:runs')}?day=114/05/27"
    data = {"route_code": "南早", "vehicle": car.pk, "start_time": "08:00"}

    created = office_client.post(url, data, follow=True)
    again = office_client.post(url, data)

    assert "已建立車次「南早」" in created.content.decode()
    assert "114/05/27 已經有「南早」這個車次" in again.content.decode()
    route_page = office_client.get(url).content.decode()
    assert route_page.count(">南早</a>") == 1


def test_a_driver_or_a_vehicle_does_one_run_a_shift(
    office_client, make_route, driver_user, car
):
    make_route("南早", driver=driver_user.driver, vehicle=car)
    url = f"{reverse('routing:runs')}?day=114/05/27"

    def create(code, start):
        data = {
            "route_code": code,
            "driver": driver_user.driver.pk,
            "vehicle": car.pk,
            "start_time": start,
        }
        return office_client.post(url, data).content.decode()

    page = create("北早", "08:30")
    assert "D01 阿明 早班已經在「南早」" in page
    assert "ABC-1234（汽車） 早班已經在「南早」" in page
    create("北晚", "13:00")
    assert Route.objects.filter(route_code="北晚").exists()
    assert not Route.objects.filter(route_code="北早").exists()


@pytest.mark.parametrize(
    "name", ["routing:runs", "routing:route", "routing:sheet", "routing:route-fill"]
)
def test_run_pages_are_for_the_office(client, driver_user, make_route, name):
    route = make_route()
    url = reverse(name, args=[] if name == "routing:runs" else [route.pk])
    assert client.get(url)["Location"].startswith("/login/")
    client.force_login(driver_user)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


def test_a_fill_stops_at_the_number_of_stops_asked(office_client, make_route):
    for number in range(5):
        due_customer(f"150000{number}", address=f"臺東市路{number}號")
    route = make_route()
    url = reverse("routing:route-fill", args=[route.pk])

    office_client.post(url, {"group": "south", "limit": "2"})
    assert codes(route) == ["1500000", "1500001"]
    office_client.post(url, {"group": "south", "limit": "3"})
    assert codes(route) == ["1500000", "1500001", "1500002"]
    office_client.post(url, {"group": "south"})
    assert len(codes(route)) == 5


def test_terminated_addressless_and_postponed_stops_are_flagged(
    office_client, make_route, monkeypatch
):
    monkeypatch.setattr("routing.forms.today", lambda: DAY)
    route = make_route()
    gone = due_customer("1500001", terminated=True)
    nowhere = due_customer("1500002", address="")
    later = due_customer("1500003")
    runs.append_stops(route, [runs.due.DueEntry.of(c) for c in (gone, nowhere, later)])
    office_client.post(
        reverse("routing:postpone"),
        {
            "customer": "1500003",
            "day": "114/05/27",
            "to_date": "114/05/29",
            "reason": "老闆出國",
        },
    )

    warnings = warnings_of(route)
    assert warnings["1500001"] == ["客戶已解約"]
    assert warnings["1500002"] == ["沒有地址，不在地圖路線裡"]
    assert warnings["1500003"] == ["已延後到 114/05/29"]


def test_an_unreadable_day_is_said_before_tomorrow_is_shown(office_client):
    response = office_client.get(reverse("routing:runs"), {"day": "115/21/05"})
    assert "改顯示" in response.content.decode()


def test_a_day_far_in_the_future_is_refused(office_client, car):
    response = office_client.post(
        f"{reverse('routing:runs')}?day=9999/12/31", {"route_code": "南早"}
    )
    assert "9999/12/31 太遠了" in response.content.decode()
    assert not Route.objects.exists()


def test_a_customer_added_by_code_brings_their_open_order(office_client, make_route):
    customer = due_customer("1500001")
    order = phone_order(customer, day=DAY - dt.timedelta(days=1), std20=1)
    route = make_route()

    office_client.post(
        reverse("routing:route-add", args=[route.pk]), {"customer": "1500001"}
    )

    assert route.stops.get().order == order


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_fills_at_once_never_plan_a_customer_twice(make_route, motorcycle):
    for number in range(20):
        due_customer(f"15000{number:02}")
    routes = [make_route("南早"), make_route("南晚", vehicle=motorcycle)]
    barrier = threading.Barrier(2)

    def fill(route):
        try:
            barrier.wait()
            runs.fill_route(route, "south")
        finally:
            connection.close()

    threads = [threading.Thread(target=fill, args=[route]) for route in routes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    planned = list(RouteStop.objects.values_list("customer_id", flat=True))
    assert len(planned) == 20 and len(set(planned)) == 20


def test_a_customer_delivered_after_planning_is_flagged(make_route):
    route = make_route()
    runs.append_stops(route, [runs.due.DueEntry.of(due_customer("1500001"))])
    customer = Customer.objects.get(code="1500001")
    assert warnings_of(route)["1500001"] == []

    Delivery.objects.create(customer=customer, delivery_date=DAY - dt.timedelta(days=1))

    assert warnings_of(route)["1500001"] == ["114/05/26 已送過"]


def test_an_empty_run_still_gives_a_sheet(office_client, make_route):
    route = make_route()
    url = reverse("routing:sheet", args=[route.pk])

    assert "這個車次沒有停靠點" in office_client.get(url).content.decode()
    response = office_client.get(url, {"format": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[3][:2] == (None, "這個車次沒有停靠點")


def test_the_runs_page_counts_the_unplanned_per_area_group(office_client, make_route):
    for code, area in [("1500001", "A"), ("1500002", "B"), ("1500003", "C")]:
        due_customer(code, area=area)
    no_area = due_customer("1500004")
    no_area.area = None
    no_area.save()
    route = make_route("南早")
    runs.add_customer(route, Customer.objects.get(code="1500001"))

    page = office_client.get(reverse("routing:runs"), {"day": "114/05/27"})

    assert page.context["unplanned"] == 3
    groups = page.context["unplanned_by_group"]
    assert groups == [("南區", 1), ("北區", 1), ("未分區", 1)]
