"""The report figures, summed ahead of time from the delivery tables.

On PostgreSQL each summary is a materialized view, refreshed concurrently so
that pages keep reading while it is rebuilt; on SQLite it is a plain table
that a refresh fills. Both are built by the same SELECT over the active and
the archived deliveries alike, so that moving a delivery to the archive
changes no figure. Only delivered outcomes count.

Every column is NOT NULL: a delivery without a driver or run (the old
system's history) is summed under 0, and a concurrent refresh can then tell
an unchanged row from a changed one.
"""

import time

from django.db import connection, transaction

REFRESH_WORK_MEM = "256MB"

# Each delivery once, from both tables, with the cylinders and kg of its items.
# The kg of a delivery without items (an imported one) stay unknown: NULL.
_DELIVERED = """
    SELECT d.customer_id, d.delivery_date, d.driver_id, d.route_id,
           d.total_amount, d.cash_collected, d.gas_returned_kg,
           i.cylinders, i.kg
    FROM {deliveries} d
    LEFT JOIN (
        SELECT it.delivery_id, SUM(it.quantity) AS cylinders,
               SUM(it.quantity * p.kg) AS kg
        FROM {items} it JOIN deliveries_product p ON p.id = it.product_id
        GROUP BY it.delivery_id
    ) i ON i.delivery_id = d.id
    WHERE d.outcome = 'delivered'
"""
_ITEMS = """
    SELECT d.delivery_date, d.driver_id, d.route_id, it.product_id,
           it.quantity, it.quantity * p.kg AS kg, it.empties_collected,
           it.amount
    FROM {items} it
    JOIN {deliveries} d ON d.id = it.delivery_id
    JOIN deliveries_product p ON p.id = it.product_id
    WHERE d.outcome = 'delivered'
"""
_TABLES = [
    ("deliveries_delivery", "deliveries_deliveryitem"),
    ("deliveries_deliveryhistory", "deliveries_deliveryhistoryitem"),
]


def _union(template):
    return " UNION ALL ".join(
        template.format(deliveries=deliveries, items=items)
        for deliveries, items in _TABLES
    )


# The sums each summary keeps about deliveries. `priced` counts the deliveries
# with an amount and `weighed` those with cylinders recorded, so that a page
# can tell a zero from a figure the old system never had.
# Counts are cast to bigint: PostgreSQL sums a bigint into a numeric.
_DELIVERY_SUMS = """
    COUNT(*) AS deliveries,
    COUNT(d.total_amount) AS priced,
    COALESCE(SUM(d.total_amount), 0) AS amount,
    COALESCE(SUM(d.cash_collected), 0) AS cash,
    COALESCE(SUM(d.gas_returned_kg), 0) AS returned_kg,
    COUNT(d.kg) AS weighed,
    CAST(COALESCE(SUM(d.cylinders), 0) AS bigint) AS cylinders,
    CAST(COALESCE(SUM(d.kg), 0) AS bigint) AS kg
"""
_SUMMED_COLUMNS = [
    ("deliveries", "integer"),
    ("priced", "integer"),
    ("amount", "decimal"),
    ("cash", "decimal"),
    ("returned_kg", "decimal"),
    ("weighed", "integer"),
    ("cylinders", "integer"),
    ("kg", "integer"),
]


def _month(column):
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


class Summary:
    """One summary: its table or view, its key and how it is computed."""

    def __init__(self, table, key, columns, select):
        self.table, self.key, self.columns = table, key, key + columns
        self._select = select

    def select(self):
        return self._select()

    def create(self, schema_editor):
        execute = schema_editor.execute
        if connection.vendor == "postgresql":
            execute(f"CREATE MATERIALIZED VIEW {self.table} AS {self.select()}")
        else:
            columns = ", ".join(
                f"{name} {kind} NOT NULL" for name, kind in self.columns
            )
            execute(f"CREATE TABLE {self.table} ({columns})")
            execute(f"INSERT INTO {self.table} {self.select()}")
        key = ", ".join(name for name, _ in self.key)
        execute(f"CREATE UNIQUE INDEX {self.table}_key ON {self.table} ({key})")

    def drop(self, schema_editor):
        if connection.vendor == "postgresql":
            schema_editor.execute(f"DROP MATERIALIZED VIEW {self.table}")
        else:
            schema_editor.execute(f"DROP TABLE {self.table}")

    def refresh(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with transaction.atomic():
                    # Memory to group and compare millions of rows in, rather
                    # than sorting them on disk; for this transaction only.
                    cursor.execute(f"SET LOCAL work_mem = '{REFRESH_WORK_MEM}'")
                    cursor.execute(
                        f"REFRESH MATERIALIZED VIEW CONCURRENTLY {self.table}"
                    )
                cursor.execute(f"ANALYZE {self.table}")
                return
            # As PostgreSQL's concurrent refresh does: the sums and how they
            # differ from the table are worked out in temporary tables, which
            # take no lock on the database; the write lock is held only to
            # apply the differences, which an hourly refresh finds small.
            temporary = ("fresh_summary", "gone_summary", "new_summary")
            for name in temporary:
                cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")
            cursor.execute(f"CREATE TEMP TABLE fresh_summary AS {self.select()}")
            cursor.execute(
                f"CREATE TEMP TABLE gone_summary AS SELECT * FROM {self.table} "
                f"EXCEPT SELECT * FROM temp.fresh_summary"
            )
            cursor.execute(
                f"CREATE TEMP TABLE new_summary AS SELECT * FROM temp.fresh_summary "
                f"EXCEPT SELECT * FROM {self.table}"
            )
            key = ", ".join(name for name, _ in self.key)
            with transaction.atomic():
                cursor.execute(
                    f"DELETE FROM {self.table} WHERE ({key}) IN "
                    f"(SELECT {key} FROM temp.gone_summary)"
                )
                # A refresh that ran meanwhile may have written a row first.
                cursor.execute(
                    f"INSERT OR REPLACE INTO {self.table} "
                    f"SELECT * FROM temp.new_summary"
                )
            for name in temporary:
                cursor.execute(f"DROP TABLE temp.{name}")


def _day_figures():
    return f"""
        SELECT d.delivery_date AS day,
               COALESCE(d.driver_id, 0) AS driver_id,
               COALESCE(d.route_id, 0) AS route_id,
               COALESCE(c.area_id, 0) AS area_id,
               c.settlement AS settlement,
               {_DELIVERY_SUMS}
        FROM ({_union(_DELIVERED)}) d
        JOIN customers_customer c ON c.id = d.customer_id
        GROUP BY d.delivery_date, COALESCE(d.driver_id, 0),
                 COALESCE(d.route_id, 0), COALESCE(c.area_id, 0), c.settlement
    """


def _month_figures():
    # Summed from the day figures, which are refreshed first.
    sums = ", ".join(
        f"CAST(SUM({name}) AS bigint) AS {name}"
        if kind == "integer"
        else f"SUM({name}) AS {name}"
        for name, kind in _SUMMED_COLUMNS
    )
    month = _month("day")
    return f"""
        SELECT {month} AS month, area_id, settlement, {sums}
        FROM reports_day_figures
        GROUP BY {month}, area_id, settlement
    """


def _day_products():
    return f"""
        SELECT i.delivery_date AS day,
               COALESCE(i.driver_id, 0) AS driver_id,
               COALESCE(i.route_id, 0) AS route_id,
               i.product_id,
               CAST(SUM(i.quantity) AS bigint) AS cylinders,
               CAST(SUM(i.kg) AS bigint) AS kg,
               CAST(SUM(i.empties_collected) AS bigint) AS empties,
               COUNT(i.amount) AS priced,
               COALESCE(SUM(i.amount), 0) AS amount
        FROM ({_union(_ITEMS)}) i
        GROUP BY i.delivery_date, COALESCE(i.driver_id, 0),
                 COALESCE(i.route_id, 0), i.product_id
    """


def _customer_months():
    month = _month("d.delivery_date")
    return f"""
        SELECT d.customer_id, {month} AS month, {_DELIVERY_SUMS}
        FROM ({_union(_DELIVERED)}) d
        GROUP BY d.customer_id, {month}
    """


DAY_FIGURES = Summary(
    "reports_day_figures",
    [
        ("day", "date"),
        ("driver_id", "integer"),
        ("route_id", "integer"),
        ("area_id", "integer"),
        ("settlement", "varchar(10)"),
    ],
    _SUMMED_COLUMNS,
    _day_figures,
)
MONTH_FIGURES = Summary(
    "reports_month_figures",
    [("month", "date"), ("area_id", "integer"), ("settlement", "varchar(10)")],
    _SUMMED_COLUMNS,
    _month_figures,
)
DAY_PRODUCTS = Summary(
    "reports_day_products",
    [
        ("day", "date"),
        ("driver_id", "integer"),
        ("route_id", "integer"),
        ("product_id", "integer"),
    ],
    [
        ("cylinders", "integer"),
        ("kg", "integer"),
        ("empties", "integer"),
        ("priced", "integer"),
        ("amount", "decimal"),
    ],
    _day_products,
)
CUSTOMER_MONTHS = Summary(
    "reports_customer_months",
    [("customer_id", "integer"), ("month", "date")],
    _SUMMED_COLUMNS,
    _customer_months,
)
# In the order a refresh goes: the month figures are summed from the days.
SUMMARIES = [DAY_FIGURES, MONTH_FIGURES, DAY_PRODUCTS, CUSTOMER_MONTHS]


def refresh_all(on_step=None):
    """Refresh every summary; return the seconds each took, by table."""
    seconds = {}
    for summary in SUMMARIES:
        started = time.perf_counter()
        summary.refresh()
        seconds[summary.table] = time.perf_counter() - started
        if on_step is not None:
            on_step(1)
    return seconds
