"""When a customer will need gas next, learned from their own delivery dates.

The sheet's rule is the last delivery plus the cycle typed into the client
list. Here the cycle is the customer's own recent rhythm instead: the
recency-weighted median of the days between their deliveries, leaving out
gaps (a closure, a holiday) and adjusted for the months the history shows
them ordering faster or slower. The sheet's cycle, scaled by how the
company's customers really compare with their typed cycles, only counts
while a customer's history is short. The date found is then moved past the
days the customer is closed: their 公休日, public holidays where they close
on them, the lunar days they keep, Lunar New Year where they have always
closed for it, and months they never take gas (and a school's summer
holiday unless its history shows it takes gas then).

Some customers have no rhythm: their intervals are as spread as they would
be if any day were as likely as the next. Waiting tells nothing of such a
customer, so their forecast is the day by which they have even odds of
calling, from tomorrow, at the rate they have called at over their history.
"""

import bisect
import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction
from django.utils import timezone
from lunardate import LunarDate

from customers.models import Customer
from customers.schedule import closed_reason
from deliveries.models import Delivery, DeliveryHistory
from luckygas.dates import today
from routing.models import CustomerForecast

# Recent intervals count more: an interval this many deliveries old counts half.
HALF_LIFE = 4
# An interval this many times the usual one is a gap, not a rhythm.
GAP_FACTOR = 2.5
# Nor is one longer than this (a holiday, a closure).
LONGEST_INTERVAL = 120
# The sheet's cycle weighs as much as this many intervals of history,
SHEET_WEIGHT = 2
# and only while the customer has fewer intervals than this.
SHEET_UNTIL = 6
# A month's own rhythm counts once this many years show it.
SEASON_MIN_YEARS = 2
# And once it differs from the rest of the year by this much in each of them.
SEASON_MIN_EFFECT = 0.15
# Months with no delivery in this many years running are months off.
MONTH_OFF_YEARS = 2
# A school's summer holiday, when it takes no gas unless its history says so.
SCHOOL_HOLIDAY_MONTHS = frozenset({7, 8})
# Lunar New Year's days a customer may close for: New Year's Eve to the 5th.
NEW_YEAR_DAYS = range(-1, 5)
# Only customers this frequent can be known to close for them.
NEW_YEAR_MAX_INTERVAL = 6
# The range shown: the middle of the customer's recent intervals.
RANGE_QUANTILES = (0.2, 0.8)
# With fewer than three intervals to go by, the range is a quarter of the
# cycle either way.
FEW_SPREAD = {RANGE_QUANTILES[0]: 0.75, 0.5: 1, RANGE_QUANTILES[1]: 1.25}
# A customer whose (80th − 20th percentile) ÷ median of intervals is above
# this has no rhythm: chance alone (any day as likely as the next) gives about
# 2, a customer with a rhythm under 1.
NO_RHYTHM_SPREAD = 1.2
# Seen only with this many intervals.
NO_RHYTHM_MIN_INTERVALS = 8
# Far enough to pass any closure the rules can express.
SEARCH_DAYS = 120

HIGH, MEDIUM, LOW = "高", "中", "低"


@dataclass(frozen=True)
class Forecast:
    """The next delivery: `next` on an open day, likely within `low`–`high`."""

    last: dt.date
    # Their usual date, last + their rhythm: past it, they are overdue.
    due: dt.date
    next: dt.date
    low: dt.date
    high: dt.date
    interval: float
    intervals: int
    confidence: str


def sheet_cycle(customer):
    """The client list's cycle: 最大週期, or else 串接數量 ÷ 平均日使用."""
    if customer.max_cycle_days and customer.max_cycle_days > 0:
        return customer.max_cycle_days
    if customer.connected_kg and customer.daily_kg and customer.daily_kg > 0:
        return customer.connected_kg / customer.daily_kg
    return None


def sheet_rule(days, customer):
    """The sheet's expected date: the last delivery plus 最大週期, as typed."""
    cycle = customer.max_cycle_days
    if not days or not cycle or cycle <= 0:
        return None
    return days[-1] + dt.timedelta(days=round(cycle))


def weighted_quantile(values, weights, q):
    pairs = sorted(zip(values, weights, strict=True))
    total = sum(weights)
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= q * total:
            return value
    return pairs[-1][0]


def intervals_of(days, gaps=False):
    """(start, days to the next delivery) between distinct delivery dates,
    without the gaps (with them, up to LONGEST_INTERVAL, if `gaps`)."""
    pairs = [(a, (b - a).days) for a, b in zip(days, days[1:], strict=False)]
    pairs = [(start, gap) for start, gap in pairs if gap > 0]
    if not pairs:
        return []
    usual = statistics.median(gap for _, gap in pairs[-12:])
    longest = max(GAP_FACTOR * usual, usual + 14)
    if gaps:
        longest = LONGEST_INTERVAL
    return [
        (start, gap) for start, gap in pairs if gap <= min(longest, LONGEST_INTERVAL)
    ]


def season_factors(intervals):
    """{month: how much longer than usual the customer's intervals starting in
    that month run}, for months that show it in two years or more, shrunk
    towards 1 the fewer years show it."""
    gaps = defaultdict(list)
    for start, gap in intervals:
        gaps[start.year * 12 + start.month - 1].append(gap)
    medians = {month: statistics.median(values) for month, values in gaps.items()}
    ratios = defaultdict(list)
    for month, median in medians.items():
        # Against the year around it, so a change of rhythm is not a season.
        around = [medians[other] for other in medians if abs(other - month) <= 6]
        if len(around) >= 9:
            ratios[month % 12 + 1].append(median / statistics.median(around))
    factors = {}
    for month, values in ratios.items():
        # Every year the same way, and by enough, or it is only noise.
        steady = all(value <= 1 - SEASON_MIN_EFFECT for value in values) or all(
            value >= 1 + SEASON_MIN_EFFECT for value in values
        )
        if len(values) >= SEASON_MIN_YEARS and steady:
            years = len(values)
            factors[month] = 1 + (statistics.median(values) - 1) * years / (years + 1)
    return factors


def months_off(days, usual, longest):
    """Calendar months the customer took no gas in, in each of the last
    MONTH_OFF_YEARS years their history spans, when that left a gap far
    longer than their rhythm and their longest usual interval (`longest`,
    long for a customer who comes at random): a school's July and August."""
    if not days:
        return frozenset()
    off = set()
    for month in range(1, 13):
        years = [
            year
            for year in range(days[0].year, days[-1].year + 1)
            if days[0] < dt.date(year, month, 1) and _month_end(year, month) < days[-1]
        ][-MONTH_OFF_YEARS:]
        if len(years) == MONTH_OFF_YEARS and all(
            _skipped(days, year, month, usual, longest) for year in years
        ):
            off.add(month)
    return frozenset(off) if len(off) < 6 else frozenset()


def without_rhythm(intervals):
    """(count, days in all) of `intervals` when they are as spread as chance
    makes them (NO_RHYTHM_SPREAD), else None."""
    gaps = [gap for _, gap in intervals]
    if len(gaps) < NO_RHYTHM_MIN_INTERVALS:
        return None
    deciles = statistics.quantiles(gaps, n=10)
    spread = (deciles[7] - deciles[1]) / statistics.median(gaps)
    return (len(gaps), sum(gaps)) if spread > NO_RHYTHM_SPREAD else None


def school_holidays(days, customer):
    """A school's summer months, but those it took gas in over the last two
    years."""
    if customer.kind != Customer.Kind.SCHOOL:
        return frozenset()
    since = days[-1] - dt.timedelta(days=2 * 365)
    taken = {day.month for day in days if day >= since}
    return SCHOOL_HOLIDAY_MONTHS - taken


def _skipped(days, year, month, usual, longest):
    """Whether the month passed without a delivery, in a gap of more than
    twice the customer's rhythm and half again their longest interval."""
    first, last = dt.date(year, month, 1), _month_end(year, month)
    index = bisect.bisect_left(days, first)
    if days[index] <= last:
        return False
    gap = (days[index] - days[index - 1]).days
    return gap > max(2 * usual, usual + 14, 1.5 * longest)


def _month_end(year, month):
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@lru_cache(maxsize=64)
def new_year_days(year):
    """Lunar New Year's Eve to the 5th of the first lunar month, in `year`."""
    first = LunarDate(year, 1, 1).to_solar_date()
    return frozenset(first + dt.timedelta(days=offset) for offset in NEW_YEAR_DAYS)


def closes_for_new_year(days, usual):
    """Whether the customer took no gas over Lunar New Year in each of the
    last MONTH_OFF_YEARS years their history spans, frequent as they are."""
    if usual > NEW_YEAR_MAX_INTERVAL or not days:
        return False
    seen = set(days)
    years = [
        year
        for year in range(days[0].year, days[-1].year + 1)
        if days[0] < min(new_year_days(year)) and max(new_year_days(year)) < days[-1]
    ][-MONTH_OFF_YEARS:]
    return len(years) == MONTH_OFF_YEARS and not any(
        day in seen for year in years for day in new_year_days(year)
    )


def open_on_or_after(customer, day, off_months=frozenset(), new_year=False):
    """The first day from `day` on the customer takes deliveries."""
    for offset in range(SEARCH_DAYS):
        candidate = day + dt.timedelta(days=offset)
        if candidate.month in off_months:
            continue
        if new_year and candidate in new_year_days(candidate.year):
            continue
        if not closed_reason(customer, candidate):
            return candidate
    return day


@dataclass(frozen=True)
class Model:
    """What a customer's history says of their rhythm, to forecast from on
    any evening until their next delivery."""

    customer: Customer
    last: dt.date
    # Their intervals with the seasons taken out, and how much each counts;
    # the same with their absences (gaps), for a customer past their day.
    gaps: tuple
    weights: tuple
    waits: tuple
    wait_weights: tuple
    # The median of `gaps` (the sheet's cycle without them).
    rhythm: float
    prior: float | None
    factor: float
    off_months: frozenset
    new_year: bool
    # For a customer without a rhythm: their intervals' count and their days
    # in all (up to LONGEST_INTERVAL each); None for a customer with one.
    chance: tuple | None

    def forecast(self, evening=None):
        """The next delivery as seen on `evening` (the last delivery's day
        when None), with nothing delivered since: among the customer's
        intervals, those longer than the days already waited."""
        waited = max((evening - self.last).days, 0) if evening else 0
        tomorrow = self.last + dt.timedelta(days=waited + 1)

        def date_after(interval, earliest):
            days = max(1, round(interval * self.factor))
            wanted = max(self.last + dt.timedelta(days=days), earliest)
            return open_on_or_after(
                self.customer, wanted, self.off_months, self.new_year
            )

        usual = self.days_after(0.5, 0)
        due = date_after(usual, self.last)
        if self.chance:
            point, low, high = (
                self.by_chance(q, waited, tomorrow) for q in (0.5, *RANGE_QUANTILES)
            )
            certainty = LOW
        else:
            point, low, high = (
                date_after(self.days_after(q, waited), tomorrow)
                for q in (0.5, *RANGE_QUANTILES)
            )
            low_days, high_days = (self.days_after(q, 0) for q in RANGE_QUANTILES)
            certainty = confidence(len(self.gaps), (high_days - low_days) / usual)
            if due < tomorrow:
                # Overdue: any day from tomorrow on, however sure their rhythm was.
                low, certainty = tomorrow, LOW
        return Forecast(
            last=self.last,
            # Their rhythm's date, however long they have waited since.
            due=due,
            next=point,
            low=min(low, point),
            high=max(high, point),
            interval=usual * self.factor,
            intervals=len(self.gaps),
            confidence=certainty,
        )

    def by_chance(self, q, waited, tomorrow):
        """The open day from `tomorrow` by which a customer without a rhythm
        has called with odds `q`, at the daily chance their history shows
        (the days waited since the last delivery counted in)."""
        count, days = self.chance
        daily = count / (days + waited)
        after = 0
        if daily < 1:
            after = max(0, math.ceil(math.log(1 - q) / math.log(1 - daily)) - 1)
        return open_on_or_after(
            self.customer,
            tomorrow + dt.timedelta(days=after),
            self.off_months,
            self.new_year,
        )

    def days_after(self, q, waited):
        """The q-quantile of the intervals longer than `waited` days, the
        sheet's cycle blended in while they are few; `waited` + 1 when the
        customer has waited longer than any of them."""
        waited = waited / self.factor
        # Past their usual day, how long their absences lasted counts too.
        overdue = bool(self.gaps) and waited >= self.rhythm
        gaps, weights = (
            (self.waits, self.wait_weights) if overdue else (self.gaps, self.weights)
        )
        kept = [
            (gap, weight)
            for gap, weight in zip(gaps, weights, strict=True)
            if gap > waited
        ]
        if len(kept) >= 3:
            value = weighted_quantile(*zip(*kept, strict=True), q)
        elif kept:
            value = statistics.median(gap for gap, _ in kept) * FEW_SPREAD[q]
        else:
            value = None
        prior = None
        if self.prior and self.prior > waited:
            prior = self.prior * FEW_SPREAD[q]
        if value is None:
            return prior or waited + 1
        if prior is None:
            return value
        return (len(kept) * value + SHEET_WEIGHT * prior) / (len(kept) + SHEET_WEIGHT)


def deseasoned(intervals, seasons):
    """The intervals without their seasons, and their recency weights."""
    gaps = tuple(gap / seasons.get(start.month, 1) for start, gap in intervals)
    weights = tuple(
        0.5 ** ((len(gaps) - 1 - index) / HALF_LIFE) for index in range(len(gaps))
    )
    return gaps, weights


def fit(days, customer, calibration=1.0):
    """The customer's Model from their delivery dates so far (sorted,
    distinct), or None with neither history nor a cycle in the sheet.

    `calibration` is how the company's customers' real rhythms compare with
    their typed cycles (calibration()); it scales the sheet's cycle.
    """
    if not days:
        return None
    intervals = intervals_of(days)
    cycle = sheet_cycle(customer)
    prior = None
    if cycle and len(intervals) < SHEET_UNTIL:
        prior = cycle * calibration
    if not intervals and not prior:
        return None
    last = days[-1]
    # The rhythm without the seasons, and then the season of the date sought.
    seasons = season_factors(intervals)
    gaps, weights = deseasoned(intervals, seasons)
    all_intervals = intervals_of(days, gaps=True)
    waits, wait_weights = deseasoned(all_intervals, seasons)
    usual = weighted_quantile(gaps, weights, 0.5) if gaps else prior
    factor = seasons.get((last + dt.timedelta(days=usual)).month, 1)
    chance = without_rhythm(all_intervals)
    off_months, new_year = school_holidays(days, customer), False
    if not chance:
        # Learned only from a rhythm: chance alone leaves months and New Years
        # without a delivery.
        longest = usual
        if len(gaps) >= 3:
            longest = weighted_quantile(gaps, weights, 0.9)
        off_months |= months_off(days, usual, longest)
        new_year = closes_for_new_year(days, usual)
    return Model(
        customer=customer,
        last=last,
        gaps=gaps,
        weights=weights,
        waits=waits,
        wait_weights=wait_weights,
        rhythm=usual,
        prior=prior,
        factor=factor,
        off_months=off_months,
        new_year=new_year,
        chance=chance,
    )


def learn(days, customer, calibration=1.0, evening=None):
    """The customer's Forecast as seen on `evening` (see Model.forecast)."""
    model = fit(days, customer, calibration)
    return model and model.forecast(evening)


def confidence(count, width):
    """高 for a steady customer with a long history, 低 for a new or erratic one."""
    if count >= 6 and width <= 0.35:
        return HIGH
    if count >= 3 and width <= 0.7:
        return MEDIUM
    return LOW


def calibration(histories, customers):
    """How long the customers' intervals really run against their typed cycles:
    the median of each one's median interval ÷ sheet cycle (1 when unknown)."""
    ratios = []
    for customer_id, days in histories.items():
        customer = customers.get(customer_id)
        cycle = customer and sheet_cycle(customer)
        gaps = [gap for _, gap in intervals_of(days)]
        if cycle and len(gaps) >= 3:
            ratios.append(statistics.median(gaps) / cycle)
    return statistics.median(ratios) if ratios else 1.0


# What learning reads of a customer.
CUSTOMER_FIELDS = (
    "kind",
    "max_cycle_days",
    "connected_kg",
    "daily_kg",
    "closed_weekdays",
    "closed_on_public_holidays",
    "closed_month_days",
    "closed_lunar_days",
)


def histories(customer_ids=None):
    """{customer id: their delivered dates, sorted and distinct}, from the
    active deliveries and the archive alike."""
    dates = defaultdict(set)
    for model in (Delivery, DeliveryHistory):
        rows = model.objects.filter(outcome=model.Outcome.DELIVERED)
        if customer_ids is not None:
            rows = rows.filter(customer_id__in=customer_ids)
        for customer_id, day in rows.values_list("customer_id", "delivery_date"):
            dates[customer_id].add(day)
    return {customer_id: sorted(days) for customer_id, days in dates.items()}


def learning_customers(customer_ids):
    customers = Customer.objects.filter(pk__in=customer_ids).only(*CUSTOMER_FIELDS)
    return {customer.pk: customer for customer in customers.iterator(2000)}


def refresh(bar=None):
    """Learn every customer's forecast again and store them all at once:
    (forecasts stored, customers with a history). `bar`: a tqdm bar to move."""
    # Before reading: a delivery recorded from now on is one the due list
    # must see as made since (due.changed_since_forecasts).
    now = timezone.now()
    known = histories()
    if bar is not None:
        bar.reset(total=len(known))
    customers = learning_customers(list(known))
    scale = calibration(known, customers)
    # The deliveries up to yesterday evening are known: today's may be on
    # their way.
    evening = today() - dt.timedelta(days=1)
    made = []
    for customer_id, days in known.items():
        customer = customers.get(customer_id)
        found = customer and learn(days, customer, scale, max(evening, days[-1]))
        if found:
            made.append(
                CustomerForecast(
                    customer_id=customer_id,
                    last_delivery=found.last,
                    due_date=found.due,
                    next_date=found.next,
                    low_date=found.low,
                    high_date=found.high,
                    interval_days=found.interval,
                    intervals=found.intervals,
                    confidence=found.confidence,
                    refreshed_at=now,
                )
            )
        if bar is not None:
            bar.update()
    with transaction.atomic():
        CustomerForecast.objects.all().delete()
        CustomerForecast.objects.bulk_create(made, batch_size=2000)
    return len(made), len(known)
