"""The forecast on hand-made histories, each a kind of customer the sheet's
rule gets wrong or the calendar moves."""

import datetime as dt
import math
import random

from customers.models import Customer
from routing.backtest import Result, replay, run
from routing.forecast import HIGH, LOW, learn, sheet_rule

# A Monday.
START = dt.date(2024, 1, 1)


def every(days, count, start=START):
    return [start + dt.timedelta(days=days * index) for index in range(count)]


def customer(cycle=None, closed=None):
    found = Customer(max_cycle_days=cycle)
    if closed is not None:
        found.set_closed_days(closed)
    return found


def test_a_steady_customer_is_expected_after_their_rhythm_with_high_confidence():
    days = every(10, 30)

    found = learn(days, customer(cycle=10))

    assert found.next == days[-1] + dt.timedelta(days=10)
    assert found.low <= found.next <= found.high
    assert (found.high - found.low).days <= 2
    assert found.confidence == HIGH


def test_a_gap_in_the_history_is_not_taken_for_the_rhythm():
    before, after = every(8, 20), every(8, 5, start=START + dt.timedelta(days=250))

    found = learn(before + after, customer())

    assert found.next == after[-1] + dt.timedelta(days=8)
    assert found.intervals == 23
    assert found.high <= found.next + dt.timedelta(days=1)


def test_past_their_day_a_customers_absences_say_how_much_longer():
    # Weekly, but four times away for four weeks.
    days, day = [], START
    for index in range(40):
        days.append(day)
        day += dt.timedelta(days=28 if index % 10 == 9 else 7)
    last = days[-1]

    assert learn(days, customer()).next == last + dt.timedelta(days=7)
    found = learn(days, customer(), evening=last + dt.timedelta(days=10))
    assert found.next == last + dt.timedelta(days=28)
    assert found.due == last + dt.timedelta(days=7)
    # Overdue: it could be any day from tomorrow, and the page says so.
    assert found.low == last + dt.timedelta(days=11)
    assert found.confidence == LOW


def at_random(chance, first, last, seed):
    """Delivery days from `first` to `last`, each with the daily `chance`:
    a customer without a rhythm, as in the company's sample history."""
    rng = random.Random(seed)
    span = (last - first).days + 1
    days = (first + dt.timedelta(days=offset) for offset in range(span))
    return [day for day in days if rng.random() < chance]


def even_odds_after(chance):
    """Days after tomorrow by which a delivery at `chance` a day has even odds."""
    return math.ceil(math.log(0.5) / math.log(1 - chance)) - 1


def test_a_customer_without_a_rhythm_is_expected_at_their_rate_however_long_waited():
    days = at_random(1 / 20, START, dt.date(2027, 1, 1), seed=3)
    last = days[-1]

    soon, later = (
        learn(days, customer(cycle=90), evening=last + dt.timedelta(days=waited))
        for waited in (0, 25)
    )

    # About one delivery in 20 days: even odds within 13 or 14 days, from
    # whichever evening, since waiting tells nothing of such a customer.
    assert 12 <= (soon.next - last).days - 1 <= 15
    assert (later.next - last).days - 26 == (soon.next - last).days - 1
    assert soon.low < soon.next < soon.high
    assert soon.confidence == later.confidence == LOW


def test_a_month_a_customer_without_a_rhythm_happened_to_skip_is_no_month_off():
    days = at_random(1 / 8, dt.date(2021, 1, 1), dt.date(2024, 6, 20), seed=5)
    # By chance, nothing in July in the last two years.
    days = [day for day in days if not (day.month == 7 and day.year in (2022, 2023))]

    found = learn(days, customer(), evening=dt.date(2024, 6, 28))

    assert found.next.month == 7


def test_a_customer_closed_on_sundays_is_never_expected_on_a_sunday():
    # Every six days, moved to Monday when that is a Sunday.
    days, day = [], START
    while len(days) < 40:
        if day.isoweekday() == 7:
            day += dt.timedelta(days=1)
        days.append(day)
        day += dt.timedelta(days=6)
    closed_on_sundays = customer(closed=7)

    found = learn(days, closed_on_sundays)

    wanted = days[-1] + dt.timedelta(days=6)
    assert wanted.isoweekday() == 7
    assert found.next == wanted + dt.timedelta(days=1)
    assert 7 not in {day.isoweekday() for day in (found.next, found.low, found.high)}


def test_a_customer_who_changed_rhythm_is_expected_on_the_new_one():
    old = every(14, 20)
    new = every(7, 8, start=old[-1] + dt.timedelta(days=7))

    found = learn(old + new, customer(cycle=14))

    assert found.next == new[-1] + dt.timedelta(days=7)
    # The sheet still says a fortnight.
    assert sheet_rule(old + new, customer(cycle=14)) == new[-1] + dt.timedelta(days=14)


def test_without_history_the_sheets_cycle_counts_scaled_by_the_companys_habit():
    found = learn([START], customer(cycle=10), calibration=0.8)

    assert found.next == START + dt.timedelta(days=8)
    assert found.confidence == LOW


def test_the_sheets_cycle_weighs_only_while_the_history_is_short():
    short = learn(every(6, 3), customer(cycle=12))
    long = learn(every(6, 30), customer(cycle=12))

    # Two intervals of 6 and the sheet's 12, weighing two: 9 days.
    assert short.next == every(6, 3)[-1] + dt.timedelta(days=9)
    assert long.next == every(6, 30)[-1] + dt.timedelta(days=6)
    # However far off the sheet is, a long history is not pulled towards it.
    stale = learn(every(6, 30), customer(cycle=270))
    assert stale.next == every(6, 30)[-1] + dt.timedelta(days=6)
    assert stale.high <= stale.next + dt.timedelta(days=1)


def test_neither_history_nor_cycle_gives_no_forecast():
    assert learn([START], customer()) is None
    assert learn([], customer(cycle=7)) is None


def test_a_customer_closed_on_public_holidays_is_moved_past_them():
    # 2024-10-10 (國慶日) is a Thursday.
    days = every(7, 20, start=dt.date(2024, 5, 23))
    assert days[-1] + dt.timedelta(days=7) == dt.date(2024, 10, 10)

    assert learn(days, customer(closed="見紅休")).next == dt.date(2024, 10, 11)
    assert learn(days, customer()).next == dt.date(2024, 10, 10)


def test_a_customer_closed_on_the_lunar_first_and_fifteenth_is_moved_past_them():
    # 2024-10-17 is the 15th of the ninth lunar month.
    days = every(7, 20, start=dt.date(2024, 5, 30))
    assert days[-1] + dt.timedelta(days=7) == dt.date(2024, 10, 17)

    assert learn(days, customer(closed="初一十五")).next == dt.date(2024, 10, 18)


def test_a_school_that_takes_no_gas_in_summer_is_expected_after_it():
    days = []
    for year in (2022, 2023, 2024):
        term = every(5, 200, start=dt.date(year, 1, 3))
        days += [day for day in term if day.month not in (7, 8) and day.year == year]
    days = [day for day in days if day <= dt.date(2024, 6, 28)]

    found = learn(days, customer())

    assert found.next == dt.date(2024, 9, 1)


def test_a_school_is_expected_after_the_summer_holiday_before_its_history_shows_it():
    days = every(7, 20, start=dt.date(2024, 2, 16))
    assert days[-1] == dt.date(2024, 6, 28)
    school = customer()
    school.kind = Customer.Kind.SCHOOL

    assert learn(days, school).next == dt.date(2024, 9, 1)
    assert learn(days, customer()).next == dt.date(2024, 7, 5)


def test_a_customer_who_always_closes_for_lunar_new_year_is_expected_after_it():
    # New Year's Day of the lunar calendar: 2023-01-22, 2024-02-10, 2025-01-29.
    closed = {
        dt.date(2023, 1, 21) + dt.timedelta(days=offset) for offset in range(6)
    } | {dt.date(2024, 2, 9) + dt.timedelta(days=offset) for offset in range(6)}
    days = [
        day
        for day in every(3, 300, start=dt.date(2022, 10, 1))
        if day not in closed and day <= dt.date(2025, 1, 27)
    ]
    last = days[-1]
    assert last + dt.timedelta(days=3) in {
        dt.date(2025, 1, 28) + dt.timedelta(days=offset) for offset in range(6)
    }

    found = learn(days, customer())

    assert found.next == dt.date(2025, 2, 3)


def test_a_customer_who_orders_faster_every_winter_is_expected_sooner_in_winter():
    days, day = [], dt.date(2021, 3, 1)
    while day < dt.date(2024, 11, 25):
        days.append(day)
        day += dt.timedelta(days=6 if day.month in (11, 12, 1, 2) else 10)

    found = learn(days, customer())

    # Ten days is the year-round median; in November the customer needs six.
    assert found.next - days[-1] < dt.timedelta(days=10)


def test_the_backtest_scores_both_methods_against_what_happened():
    # Every 5 days up to 5 February and after; the sheet says 8.
    days = every(5, 60, start=dt.date(2023, 6, 25))
    result = Result(start=dt.date(2024, 2, 1), end=dt.date(2024, 2, 10))

    replay(result, days, customer(cycle=8), 1.0)

    # On 1 February (last delivery 31 January) both forecast 5 and 8 days on.
    # Deliveries follow on 5 and 10 February; the replayed evenings 1–9
    # February have a next delivery, the 10th too (the 15th).
    assert result.days_with_answer == 10
    assert result.deliveries_next_day == 2  # the 5th and the 10th
    assert result.new.mae == 0
    assert result.new.hits == result.new.predicted == 2
    assert result.sheet.mae > 0 and result.sheet.hits == 0
    assert result.improvement == 1


def test_on_a_history_without_rhythm_the_forecast_is_near_the_best_possible():
    # The company's sample history: every delivery on a random day, one in
    # 30 days for each customer, and the sheet's cycles anything.
    chance, first, last = 1 / 30, dt.date(2021, 1, 1), dt.date(2025, 5, 31)
    rng = random.Random(11)
    customers = {pk: customer(cycle=rng.randint(5, 200)) for pk in range(40)}
    histories = {pk: at_random(chance, first, last, seed=pk) for pk in customers}
    start, end = dt.date(2024, 11, 1), dt.date(2025, 1, 29)

    result = run(histories, customers, start, end)

    # The best any forecast can do: knowing each customer's true chance, the
    # day from tomorrow by which a delivery has even odds.
    best = []
    for days in histories.values():
        evening = start
        while evening <= end:
            later = [day for day in days if day > evening]
            wanted = evening + dt.timedelta(days=1 + even_odds_after(chance))
            if later:
                best.append(abs((wanted - later[0]).days))
            evening += dt.timedelta(days=1)
    assert len(result.new.errors) == len(best)
    assert result.new.mae <= 1.03 * sum(best) / len(best)
    assert result.improvement >= 0.30
