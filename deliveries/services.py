"""Writes that touch several models at once."""

from django.db import IntegrityError, transaction

from deliveries.models import Order, OrderItem


def save_order(form, customer, user):
    """Save a phone order and its items; (order, saved).

    The form's token makes a double submit harmless: the second one finds the
    order the first one saved, and returns it unsaved again.
    """
    token = form.cleaned_data["token"]
    editing = bool(form.instance.pk)
    if not editing:
        existing = Order.objects.filter(request_token=token).first()
        if existing:
            return existing, False

    try:
        with transaction.atomic():
            order = form.save(commit=False)
            if not order.pk:
                order.customer = customer
                order.created_by = user
                order.request_token = token
            order.save()
            if editing:
                order.items.all().delete()
            OrderItem.objects.bulk_create(
                OrderItem(order=order, product=product, quantity=quantity)
                for product, quantity in form.quantities.items()
            )
    except IntegrityError:
        # Two submits raced past the check above; the other one won.
        return Order.objects.get(request_token=token), False
    return order, True


def cancel_order(order, reason):
    order.status = Order.Status.CANCELLED
    order.cancel_reason = reason
    order.save(update_fields=["status", "cancel_reason", "updated_at"])
