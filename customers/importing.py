"""Import of the client list (客戶資料 sheet) into Customer rows."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from customers import parsing
from customers.models import Area, Customer, CustomerCylinder, search_text
from deliveries.models import Product
from luckygas.importing import (
    CellError,
    ImportFileError,
    ImportSummary,
    RejectLog,
    cell_text,
    column_letter,
    header_positions,
    is_blank,
    progress,
    read_rows_exact,
)

CLIENT_SHEET = "客戶資料"
# The sheet has one column with no header, right after 切替器: a wired switcher.
UNNAMED_COLUMN = "（無標題欄）"
UNNAMED_AFTER = "切替器"

# The 76 columns of the old system's client list, in its order.
CLIENT_LIST_HEADERS = [
    "客戶", "電子發票抬頭", "客戶簡稱", "地址", "系統上鋼瓶數量",
    "50KG", "營20", "營16", "20KG", "16KG", "10KG", "4KG", "好運16", "瓶安桶10",
    "幸福丸", "好運20", "流量50公斤", "流量20公斤", "流量16公斤", "流量好運20公斤",
    "流量好運16公斤",
    "計價方式", "結帳方式", "結帳用檔案", "訂閱式會員",
    "發報", "排巡", "設備客戶買斷", "已解約", "需要當天配送",
    "8~9", "9~10", "10~11", "11~12", "12~13", "13~14",
    "14~15", "15~16", "16~17", "17~18", "18~19", "19~20",
    "時段早1午2晚3全天0", "公休日", "狀態", "切替器型號",
    "月配送量", "退氣", "實際購買公斤數", "退氣比例", "平均日使用", "串接數量",
    "備用量", "最大週期", "可延後天數", "是否需要當天去",
    "區域", "1汽車/2機車/0全部", "單一區域供應",
    "第一使用區域(串接)", "第二使用區域", "第三使用區域", "第四使用區域",
    "第五使用區域", "預備桶", "串接場所申報",
    "流量表", "帶線流量錶", "切替器", UNNAMED_COLUMN, "接點式壓力錶", "壓差開關",
    "微動開關", "永勝", "智慧秤", "類型",
]  # fmt: skip

TEXT_COLUMNS = {
    "電子發票抬頭": "invoice_title",
    "客戶簡稱": "short_name",
    "地址": "address",
    "狀態": "status_text",
    "切替器型號": "switcher_model",
    "第一使用區域(串接)": "usage_area_1",
    "第二使用區域": "usage_area_2",
    "第三使用區域": "usage_area_3",
    "第四使用區域": "usage_area_4",
    "第五使用區域": "usage_area_5",
    "串接場所申報": "site_declaration",
}
NUMBER_COLUMNS = {
    "月配送量": "monthly_kg",
    "退氣": "returned_kg",
    "實際購買公斤數": "net_kg",
    "退氣比例": "returned_ratio",
    "平均日使用": "daily_kg",
    "串接數量": "connected_kg",
    "備用量": "reserve_kg",
    "最大週期": "max_cycle_days",
    "可延後天數": "slip_days",
    "是否需要當天去": "urgency_score",
}
# Flags whose free text has a field of its own; the others take V, X or blank.
FLAG_COLUMNS = {
    "結帳用檔案": ("needs_billing_file", None),
    "訂閱式會員": ("subscription_member", None),
    "發報": ("has_alarm", None),
    "排巡": ("on_patrol", "patrol_note"),
    "設備客戶買斷": ("equipment_bought_out", "equipment_bought_out_note"),
    "已解約": ("terminated", None),
    "需要當天配送": ("same_day_delivery", None),
}
EQUIPMENT_COLUMNS = {
    "流量表": "flow_meter",
    "帶線流量錶": "wired_flow_meter",
    "切替器": "switcher",
    UNNAMED_COLUMN: "wired_switcher",
    "接點式壓力錶": "contact_pressure_gauge",
    "壓差開關": "differential_switch",
    "微動開關": "micro_switch",
    "永勝": "yongsheng_device",
    "智慧秤": "smart_scale",
}
EQUIPMENT_VALUES = {
    "1": Customer.Ownership.COMPANY,
    "V": Customer.Ownership.COMPANY,
    "客戶自有": Customer.Ownership.CUSTOMER,
}
CHOICE_COLUMNS = {
    "計價方式": (
        "pricing",
        {
            "桶裝": Customer.Pricing.CYLINDER,
            "流量": Customer.Pricing.FLOW,
            "桶裝現金": Customer.Pricing.CYLINDER_CASH,
        },
    ),
    "結帳方式": (
        "settlement",
        {
            "月結": Customer.Settlement.MONTHLY,
            "現金": Customer.Settlement.CASH,
            "收現": Customer.Settlement.CASH,
        },
    ),
    "時段早1午2晚3全天0": (
        "time_slot",
        {str(slot.value): slot.value for slot in Customer.TimeSlot},
    ),
    "1汽車/2機車/0全部": (
        "vehicle",
        {str(kind.value): kind.value for kind in Customer.Vehicle},
    ),
    "類型": ("kind", {kind.label: kind.value for kind in Customer.Kind}),
}
HOUR_COLUMNS = {f"{hour}~{hour + 1}": hour for hour in range(8, 20)}

# Where each text field comes from, and what is read out of it.
TEXT_SOURCES = {
    **{name: header for header, name in TEXT_COLUMNS.items()},
    **{note: header for header, (_, note) in FLAG_COLUMNS.items() if note},
    "cylinder_expression": "系統上鋼瓶數量",
    "spare_cylinders": "預備桶",
    "closed_days_text": "公休日",
    "area_text": "區域",
}
DERIVED_FIELDS = {
    "cylinder_expression": ["cylinder_expression_counts"],
    "spare_cylinders": ["spare_cylinder_count"],
    "area_text": ["area_id"],
}

# Choice fields are nullable integers or blank text; blank cells stay blank.
NULLABLE_CHOICES = {"time_slot", "vehicle"}

CLOSED_DAYS_FIELDS = [
    "closed_days_text",
    "closed_weekdays",
    "closed_on_public_holidays",
    "closed_lunar_days",
    "closed_month_days",
    "closed_days_unparsed",
]
DERIVED_FIELDS["closed_days_text"] = CLOSED_DAYS_FIELDS[1:]

IMPORTED_FIELDS = [
    *TEXT_COLUMNS.values(),
    *NUMBER_COLUMNS.values(),
    *(name for name, _ in FLAG_COLUMNS.values()),
    *(note for _, note in FLAG_COLUMNS.values() if note),
    *EQUIPMENT_COLUMNS.values(),
    *(name for name, _ in CHOICE_COLUMNS.values()),
    "origin",
    "cylinder_expression",
    "cylinder_expression_counts",
    "open_hours",
    *CLOSED_DAYS_FIELDS,
    "area_id",
    "area_text",
    "supply_points",
    "spare_cylinders",
    "spare_cylinder_count",
    "raw_row",
]


def _json_safe(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


@dataclass
class ParsedCustomer:
    row: int
    code: str
    fields: dict
    cylinders: dict  # product id -> quantity


class ClientListImporter:
    """Reads a client-list workbook and creates or updates its customers."""

    def __init__(self, path, batch_size=500, verbosity=1):
        self.path = path
        self.batch_size = batch_size
        self.verbosity = verbosity
        self.rejects = RejectLog()
        self.summary = ImportSummary()
        self.area_ids = dict(Area.objects.values_list("code", "id"))
        self.products = {
            product.sheet_column: product.id for product in Product.objects.all()
        }

    def read(self):
        """Check the layout and return (positions, data rows); raise ImportFileError."""
        rows = read_rows_exact(self.path, CLIENT_SHEET)
        if not rows:
            raise ImportFileError(f"工作表「{CLIENT_SHEET}」是空的")
        header = rows[0]
        required = [name for name in CLIENT_LIST_HEADERS if name != UNNAMED_COLUMN]
        positions = header_positions(header, required, self.path, CLIENT_SHEET)
        unnamed = positions[UNNAMED_AFTER] + 1
        if unnamed >= len(header) or not is_blank(header[unnamed]):
            raise ImportFileError(
                f"「{UNNAMED_AFTER}」右邊應有一個無標題的欄位（帶線切替器），但找不到"
            )
        positions[UNNAMED_COLUMN] = unnamed
        self.headers = {index: name for name, index in positions.items()}
        return positions, rows[1:]

    def parse_row(self, row_number, cells, positions):
        """One sheet row as model fields; bad cells are logged and left blank."""
        cells = tuple(cells) + (None,) * (len(self.headers) - len(cells))

        def value(name):
            index = positions[name]
            return cells[index] if index < len(cells) else None

        def column(name):
            return f"{column_letter(positions[name])} {name}"

        def attempt(name, reader, *args):
            try:
                return reader(value(name), *args), True
            except CellError as error:
                self.rejects.cell(row_number, column(name), value(name), str(error))
                return None, False

        code = parsing.parse_code(value("客戶"))
        fields = {"origin": Customer.Origin.CLIENT_LIST}

        for name, field_name in TEXT_COLUMNS.items():
            fields[field_name] = cell_text(value(name))
        for name, field_name in NUMBER_COLUMNS.items():
            fields[field_name], _ = attempt(name, parsing.parse_number)
        for name, (field_name, note_field) in FLAG_COLUMNS.items():
            flag, note = parsing.parse_flag(value(name))
            if note and not note_field:
                self.rejects.cell(
                    row_number, column(name), value(name), "應為 V、X 或空白"
                )
                flag, note = None, ""
            fields[field_name] = flag
            if note_field:
                fields[note_field] = note
        for name, field_name in EQUIPMENT_COLUMNS.items():
            result, _ = attempt(name, parsing.parse_choice, EQUIPMENT_VALUES)
            fields[field_name] = result or ""
        for name, (field_name, choices) in CHOICE_COLUMNS.items():
            result, _ = attempt(name, parsing.parse_choice, choices)
            if field_name in NULLABLE_CHOICES:
                fields[field_name] = None if result in (None, "") else result
            else:
                fields[field_name] = result or ""

        fields["open_hours"] = [
            hour
            for name, hour in HOUR_COLUMNS.items()
            if attempt(name, parsing.parse_hour)[0]
        ]

        expression = cell_text(value("系統上鋼瓶數量"))
        fields["cylinder_expression"] = expression
        fields["cylinder_expression_counts"], _ = attempt(
            "系統上鋼瓶數量", parsing.parse_cylinder_expression
        )
        spare, ok = attempt("預備桶", parsing.parse_spare_cylinders)
        fields["spare_cylinders"] = spare[0] if ok else cell_text(value("預備桶"))
        fields["spare_cylinder_count"] = spare[1] if ok else None
        fields["supply_points"], _ = attempt("單一區域供應", parsing.parse_count)

        rules = Customer()
        unparsed = rules.set_closed_days(value("公休日"))
        for name in CLOSED_DAYS_FIELDS:
            fields[name] = getattr(rules, name)
        if unparsed:
            self.rejects.cell(
                row_number,
                column("公休日"),
                value("公休日"),
                f"無法判讀「{' '.join(unparsed)}」，請人工確認",
                "其餘已判讀；無法判讀的部分存於「公休日待確認」",
            )

        fields["area_text"] = cell_text(value("區域"))
        letter, _ = attempt("區域", parsing.parse_area_letter, self.area_ids.keys())
        fields["area_id"] = self.area_ids.get(letter)

        cylinders = {}
        for name, product_id in self.products.items():
            quantity, _ = attempt(name, parsing.parse_count)
            if quantity:
                cylinders[product_id] = quantity

        self.check_lengths(row_number, fields, column, value)
        fields["raw_row"] = {
            self.headers.get(index, column_letter(index)): _json_safe(cell)
            for index, cell in enumerate(cells)
            if not is_blank(cell)
        }
        return ParsedCustomer(row_number, code, fields, cylinders)

    def check_lengths(self, row_number, fields, column, value):
        """Text longer than its column is refused, with what it derives."""
        for name, header in TEXT_SOURCES.items():
            limit = Customer._meta.get_field(name).max_length
            if len(fields[name]) <= limit:
                continue
            self.rejects.cell(
                row_number, column(header), value(header), f"超過 {limit} 字"
            )
            fields[name] = ""
            for derived in DERIVED_FIELDS.get(name, ()):
                field = Customer._meta.get_field(derived.removesuffix("_id"))
                fields[derived] = field.get_default()

    def parse(self, positions, rows):
        parsed, seen = [], {}
        for offset, cells in enumerate(rows):
            row_number = offset + 2
            if all(is_blank(cell) for cell in cells):
                continue
            self.summary.read += 1
            try:
                customer = self.parse_row(row_number, cells, positions)
            except CellError as error:
                self.rejects.row(
                    row_number, "A 客戶", cells[positions["客戶"]], str(error)
                )
                continue
            if customer.code in seen:
                self.rejects.row(
                    row_number,
                    "A 客戶",
                    customer.code,
                    f"客戶代碼重複，已採用第 {seen[customer.code]} 列",
                )
                continue
            seen[customer.code] = row_number
            parsed.append(customer)
        return parsed

    def save_batch(self, batch):
        now = timezone.now()
        existing = {
            customer.code: customer
            for customer in Customer.objects.filter(
                code__in=[item.code for item in batch]
            ).prefetch_related("cylinders")
        }
        created, updated, replaced = [], [], []
        for item in batch:
            customer = existing.get(item.code)
            if customer is None:
                customer = Customer(code=item.code, **item.fields)
                customer.search_text = search_text(*customer.searched_values())
                created.append((customer, item.cylinders))
                continue
            current = {c.product_id: c.quantity for c in customer.cylinders.all()}
            # The raw row alone is no change: the same values typed differently
            # (2.3 as text or as a number) read the same.
            changed = [
                name
                for name, new in item.fields.items()
                if getattr(customer, name) != new and name != "raw_row"
            ]
            if not changed and current == item.cylinders:
                self.summary.unchanged += 1
                continue
            for name in [*changed, "raw_row"]:
                setattr(customer, name, item.fields[name])
            customer.search_text = search_text(*customer.searched_values())
            customer.updated_at = now
            updated.append(customer)
            if current != item.cylinders:
                replaced.append((customer, item.cylinders))

        with transaction.atomic():
            Customer.objects.bulk_create([customer for customer, _ in created])
            Customer.objects.bulk_update(
                updated, [*IMPORTED_FIELDS, "search_text", "updated_at"]
            )
            CustomerCylinder.objects.filter(
                customer__in=[customer for customer, _ in replaced]
            ).delete()
            CustomerCylinder.objects.bulk_create(
                CustomerCylinder(
                    customer=customer, product_id=product_id, quantity=quantity
                )
                for customer, cylinders in created + replaced
                for product_id, quantity in cylinders.items()
            )
        self.summary.created += len(created)
        self.summary.updated += len(updated)

    def run(self):
        positions, rows = self.read()
        parsed = self.parse(positions, rows)
        with progress(len(parsed), "匯入客戶", self.verbosity) as bar:
            for start in range(0, len(parsed), self.batch_size):
                batch = parsed[start : start + self.batch_size]
                self.save_batch(batch)
                bar.update(len(batch))
        self.summary.rejected = self.rejects.rejected_rows
        self.summary.problem_cells = self.rejects.problem_cells
        self.summary.rejects_path = self.rejects.write(self.path, "import_customers")
        return self.summary
