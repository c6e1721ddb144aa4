"""Import of the delivery history export: one row per delivery, ROC dates."""

from collections import Counter

from django.db import connection, transaction
from django.db.models import Count

from customers.models import Customer, search_text
from customers.parsing import parse_code
from deliveries.models import Delivery, DeliveryHistory, DeliveryRecord
from luckygas.dates import DateParseError, parse_date, to_roc, today
from luckygas.importing import (
    CellError,
    ImportFileError,
    ImportSummary,
    RejectLog,
    cell_text,
    column_letter,
    header_positions,
    insert_objects,
    is_blank,
    progress,
    read_rows_fast,
)

CODE, TITLE, SHORT_NAME, ADDRESS, DATE = (
    "客戶",
    "電子發票抬頭",
    "客戶簡稱",
    "地址",
    "最後十次日期",
)
HISTORY_COLUMNS = [CODE, TITLE, SHORT_NAME, ADDRESS, DATE]
NAME_FIELDS = {TITLE: "invoice_title", SHORT_NAME: "short_name", ADDRESS: "address"}
NAME_LENGTHS = {
    column: Customer._meta.get_field(name).max_length
    for column, name in NAME_FIELDS.items()
}
NEW_FIELDS = ("code", "invoice_title", "short_name", "address", "search_text")


class HistoryImporter:
    """Adds the deliveries of a history workbook that the database lacks.

    The export has no delivery id, so a delivery is known by its customer and
    date: the file's count for each pair is compared with the database's
    (active and archived, whatever their source, since deliveries recorded
    here are keyed back into the old system and come back in its exports),
    and only the difference is inserted. A second run of the same file, or a
    run after an interrupted one, inserts nothing twice.
    """

    def __init__(self, path, batch_size=10_000, verbosity=1):
        self.path = path
        self.batch_size = batch_size
        self.verbosity = verbosity
        self.rejects = RejectLog()
        self.summary = ImportSummary()
        self.customers_created = 0
        self.customers_updated = 0

    def read(self):
        sheet_name, rows = read_rows_fast(self.path)
        if not rows:
            raise ImportFileError(f"工作表「{sheet_name}」是空的")
        positions = header_positions(rows[0], HISTORY_COLUMNS, self.path, sheet_name)
        return positions, rows[1:]

    def parse(self, positions, rows):
        """Count deliveries per (code, date); keep each code's newest name, address."""
        code_at, date_at = positions[CODE], positions[DATE]
        name_at = {name: positions[name] for name in NAME_FIELDS}
        codes, dates = {}, {}
        latest = today()
        counts = Counter()
        names = {}  # code -> {column: (date, text)}, the newest non-blank text

        for offset, cells in enumerate(rows):
            row_number = offset + 2
            raw_code, raw_date = cells[code_at], cells[date_at]
            if is_blank(raw_code) and all(map(is_blank, cells)):
                continue
            self.summary.read += 1
            try:
                code = codes.get(raw_code) or codes.setdefault(
                    raw_code, parse_code(raw_code)
                )
            except CellError as error:
                self.rejects.row(row_number, f"A {CODE}", raw_code, str(error))
                continue
            try:
                day = dates.get(raw_date) or dates.setdefault(
                    raw_date, parse_date(raw_date)
                )
            except DateParseError as error:
                self.rejects.row(row_number, f"E {DATE}", raw_date, str(error))
                continue
            if day > latest:
                self.rejects.row(
                    row_number,
                    f"E {DATE}",
                    raw_date,
                    f"日期在未來（今天是 {to_roc(latest)}）",
                )
                continue
            counts[code, day] += 1

            known = names.setdefault(code, {})
            for column, index in name_at.items():
                text = cell_text(cells[index])
                if len(text) > NAME_LENGTHS[column]:
                    self.rejects.cell(
                        row_number,
                        f"{column_letter(index)} {column}",
                        text,
                        f"超過 {NAME_LENGTHS[column]} 字",
                    )
                elif text and (column not in known or known[column][0] <= day):
                    known[column] = (day, text)
        return counts, names

    def save_customers(self, names):
        """Create the customers the client list lacks; refresh history-only ones."""
        existing = {
            customer.code: customer
            for customer in Customer.objects.only(
                "id", "code", "origin", "phone", *NAME_FIELDS.values()
            )
        }
        created, updated = [], []
        for code, known in names.items():
            fields = {NAME_FIELDS[column]: text for column, (_, text) in known.items()}
            customer = existing.get(code)
            if customer is None:
                names = [fields.get(name, "") for name in NAME_FIELDS.values()]
                created.append((code, *names, search_text(code, *names)))
            elif customer.origin == Customer.Origin.HISTORY and any(
                getattr(customer, name) != text for name, text in fields.items()
            ):
                for name, text in fields.items():
                    setattr(customer, name, text)
                customer.search_text = search_text(*customer.searched_values())
                updated.append(customer)

        with transaction.atomic():
            insert_objects(
                Customer, NEW_FIELDS, created, origin=Customer.Origin.HISTORY
            )
            Customer.objects.bulk_update(
                updated, [*NAME_FIELDS.values(), "search_text"], batch_size=500
            )
        self.customers_created, self.customers_updated = len(created), len(updated)
        return dict(Customer.objects.values_list("code", "id"))

    def missing_deliveries(self, counts, customer_ids):
        """(customer id, date) for each delivery of the file not yet stored."""
        stored = Counter()
        for model in (Delivery, DeliveryHistory):
            rows = (
                model.objects.values("customer_id", "delivery_date")
                .annotate(count=Count("id"))
                .values_list("customer_id", "delivery_date", "count")
            )
            for customer_id, day, count in rows.iterator(chunk_size=20_000):
                stored[customer_id, day] += count

        missing = []
        for (code, day), count in sorted(
            counts.items(), key=lambda item: item[0][::-1]
        ):
            key = (customer_ids[code], day)
            new = count - stored[key]
            self.summary.unchanged += min(count, stored[key])
            missing.extend([key] * max(new, 0))
        return missing

    def insert(self, missing):
        """Plain SQL inserts in bounded transactions: far faster than the ORM."""
        # A few thousand distinct dates: adapt each for the database once.
        days = {day: connection.ops.adapt_datefield_value(day) for _, day in missing}
        with progress(len(missing), "匯入配送紀錄", self.verbosity) as bar:
            for start in range(0, len(missing), self.batch_size):
                chunk = missing[start : start + self.batch_size]
                batch = [(customer_id, days[day]) for customer_id, day in chunk]
                with transaction.atomic():
                    insert_objects(
                        Delivery,
                        ("customer_id", "delivery_date"),
                        batch,
                        source=DeliveryRecord.Source.IMPORT,
                    )
                self.summary.created += len(batch)
                bar.update(len(batch))

    def run(self):
        positions, rows = self.read()
        counts, names = self.parse(positions, rows)
        customer_ids = self.save_customers(names)
        self.insert(self.missing_deliveries(counts, customer_ids))

        self.summary.rejected = self.rejects.rejected_rows
        self.summary.problem_cells = self.rejects.problem_cells
        self.summary.notes.append(
            f"新建客戶 {self.customers_created} 位，"
            f"更新客戶 {self.customers_updated} 位"
        )
        self.summary.rejects_path = self.rejects.write(self.path, "import_deliveries")
        return self.summary
