"""The client list written back in the old system's layout, re-importable."""

from customers import importing
from customers.importing import CLIENT_LIST_HEADERS, UNNAMED_COLUMN
from customers.models import Customer

FLAG_TEXT = {True: "V", False: "X", None: None}
EQUIPMENT_TEXT = {
    Customer.Ownership.COMPANY: 1,
    Customer.Ownership.CUSTOMER: "客戶自有",
    "": None,
}
# The sheet's words for each choice; 收現 and 現金 both read back as cash.
CHOICE_TEXT = {
    field_name: {value: text for text, value in reversed(choices.items())}
    for field_name, choices in importing.CHOICE_COLUMNS.values()
}


def _flag(customer, name, note_field):
    note = getattr(customer, note_field) if note_field else ""
    return note or FLAG_TEXT[getattr(customer, name)]


def client_row(customer, cylinders):
    """One customer as {header: cell value} in the client-list layout."""
    row = {"客戶": customer.code}
    for header, name in importing.TEXT_COLUMNS.items():
        row[header] = getattr(customer, name) or None
    for header, name in importing.NUMBER_COLUMNS.items():
        row[header] = getattr(customer, name)
    for header, (name, note_field) in importing.FLAG_COLUMNS.items():
        row[header] = _flag(customer, name, note_field)
    for header, name in importing.EQUIPMENT_COLUMNS.items():
        row[header] = EQUIPMENT_TEXT[getattr(customer, name)]
    for header, (name, _) in importing.CHOICE_COLUMNS.items():
        text = CHOICE_TEXT[name].get(getattr(customer, name))
        row[header] = int(text) if text and text.isdigit() else text
    for header, hour in importing.HOUR_COLUMNS.items():
        row[header] = 1 if hour in customer.open_hours else None
    for cylinder in cylinders:
        row[cylinder.product.sheet_column] = cylinder.quantity
    row["系統上鋼瓶數量"] = customer.cylinder_expression or None
    row["公休日"] = customer.closed_days_text or None
    row["區域"] = customer.area_text or (str(customer.area) if customer.area else None)
    row["單一區域供應"] = customer.supply_points
    row["預備桶"] = customer.spare_cylinders or None
    return row


def client_list_rows(customers):
    """Rows of cell values in the order of CLIENT_LIST_HEADERS."""
    for customer in customers.prefetch_related("cylinders__product"):
        row = client_row(customer, customer.cylinders.all())
        yield [row.get(header) for header in CLIENT_LIST_HEADERS]


def client_list_headers():
    return [None if name == UNNAMED_COLUMN else name for name in CLIENT_LIST_HEADERS]
