"""Times and prices as a patient should read them: in the location's own zone, named once ("09:00 (India time)"),
and in the location's currency."""

from decimal import Decimal

from django import template

register = template.Library()

# Symbols of the currencies clinics use; any other is written as its code ("AED 250").
CURRENCY_SYMBOLS = {"INR": "₹", "GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "SGD": "S$"}


@register.filter
def local_when(value, location) -> str:
    """'Monday 16 June 2025, 09:00 (India time)'"""
    local = value.astimezone(location.zone)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} ({location.zone_name})"


@register.filter
def local_time(value, location) -> str:
    return f"{value.astimezone(location.zone):%H:%M}"


@register.filter
def zone_label(value, location) -> str:
    """'India time' (the value is kept for the templates that pass a moment; the name does not depend on it)."""
    return location.zone_name


@register.filter
def money(amount, location) -> str:
    """'₹2,500', '£65.50', 'AED 250': the amount in the location's currency, pence only when there are some."""
    amount = Decimal(amount)
    number = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    symbol = CURRENCY_SYMBOLS.get(location.currency)
    return f"{symbol}{number}" if symbol else f"{location.currency} {number}"
