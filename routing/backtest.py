"""The forecast against the sheet's rule, replayed over the history itself.

Each evening of the period, with the deliveries up to that day known, both
methods say when each client-list customer will next need gas; the day
after, and the rest of the history, say who was right. The sheet's date once
past without a delivery means "tomorrow": such a customer is overdue on the
due list, and on it until delivered. The learned forecast looks again each
evening at the intervals longer than the wait so far.
"""

import datetime as dt
from dataclasses import dataclass, field

from routing.forecast import calibration, fit, sheet_rule


@dataclass
class Score:
    """One method's record over the period."""

    errors: list = field(default_factory=list)
    # Errors on the customer-days both methods forecast, for a fair comparison.
    shared_errors: list = field(default_factory=list)
    predicted: int = 0
    hits: int = 0

    @property
    def mae(self):
        return mean(self.errors)

    @property
    def shared_mae(self):
        return mean(self.shared_errors)


def mean(values):
    return sum(values) / len(values) if values else None


@dataclass
class Result:
    start: dt.date
    end: dt.date
    customers: int = 0
    # Customer-days whose next delivery the history holds.
    days_with_answer: int = 0
    deliveries_next_day: int = 0
    new: Score = field(default_factory=Score)
    sheet: Score = field(default_factory=Score)

    def precision(self, score):
        return score.hits / score.predicted if score.predicted else None

    def recall(self, score):
        return (
            score.hits / self.deliveries_next_day if self.deliveries_next_day else None
        )

    def coverage(self, score):
        answered = self.days_with_answer
        return len(score.errors) / answered if answered else None

    @property
    def improvement(self):
        """How much lower the new method's error is, on the days both forecast."""
        new, sheet = self.new.shared_mae, self.sheet.shared_mae
        if new is None or not sheet:
            return None
        return 1 - new / sheet


def run(histories, customers, start, end, on_customer=None):
    """Replay `start`..`end` (the evenings forecasts are made) for `customers`
    ({id: customer}) over `histories` ({id: sorted delivered dates})."""
    known_before = {
        pk: [day for day in days if day < start] for pk, days in histories.items()
    }
    scale = calibration(known_before, customers)
    result = Result(start, end)
    for customer_id, customer in customers.items():
        days = histories.get(customer_id, [])
        if days and days[0] <= end:
            result.customers += 1
            replay(result, days, customer, scale)
        if on_customer:
            on_customer()
    return result


def replay(result, days, customer, scale):
    known = 0  # how many of `days` are known on the evening replayed
    model = sheet = None
    evening = result.start
    while evening <= result.end:
        while known < len(days) and days[known] <= evening:
            known += 1
            model = sheet = None
        if known:
            if model is None:
                model = fit(days[:known], customer, scale) or False
                sheet = sheet_rule(days[:known], customer)
            learned = model and model.forecast(evening).next
            score_evening(result, evening, days[known:], (learned, sheet))
        evening += dt.timedelta(days=1)


def score_evening(result, evening, later, forecasts):
    tomorrow = evening + dt.timedelta(days=1)
    actual = later[0] if later else None
    delivered_tomorrow = actual == tomorrow
    result.deliveries_next_day += delivered_tomorrow
    if actual:
        result.days_with_answer += 1
    new, sheet = (max(day, tomorrow) if day else None for day in forecasts)
    for score, day in ((result.new, new), (result.sheet, sheet)):
        if day is None:
            continue
        if day == tomorrow:
            score.predicted += 1
            score.hits += delivered_tomorrow
        if actual:
            score.errors.append(abs((day - actual).days))
            if new and sheet:
                score.shared_errors.append(abs((day - actual).days))
