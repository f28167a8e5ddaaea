"""Prices per location: Service.locations gets an explicit through model, ServiceOffering, with the price there.

The through model takes over the table Django made for the many-to-many (same columns, same unique pair), renamed;
then each offering gets a price. Service.price was one number for every clinic, written in the currency the clinics
had before they had one each (INR, the field's default): it is copied to the offerings at clinics in the most common
currency among them, and left blank (no price shown online) at clinics in another currency, such as the London clinic
that showed rupees. An exchange rate is not a clinic's price, so none is converted: the admin sets them.
"""

from collections import Counter

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def fill_prices(apps, schema_editor):
    ServiceOffering = apps.get_model("booking", "ServiceOffering")
    offerings = list(ServiceOffering.objects.select_related("service", "location"))
    if not offerings:
        return
    usual = Counter(offering.location.currency for offering in offerings).most_common(1)[0][0]
    for offering in offerings:
        if offering.location.currency == usual and offering.service.price:
            offering.price = offering.service.price
            offering.save(update_fields=["price"])


def restore_prices(apps, schema_editor):
    Service = apps.get_model("booking", "Service")
    for service in Service.objects.all():
        prices = [p for p in service.offerings.values_list("price", flat=True) if p is not None]
        service.price = max(prices, key=prices.count) if prices else 0
        service.save(update_fields=["price"])


class Migration(migrations.Migration):

    dependencies = [
        ("booking", "0010_therapist_calendar_feed_version"),
        ("core", "0012_location_currency"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ServiceOffering",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("service", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="offerings", to="booking.service")),
                        ("location", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="service_offerings", to="core.location")),
                    ],
                    options={"db_table": "booking_service_locations", "unique_together": {("service", "location")}},
                ),
                migrations.AlterField(
                    model_name="service",
                    name="locations",
                    field=models.ManyToManyField(blank=True, related_name="services", through="booking.ServiceOffering", to="core.location"),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="serviceoffering", table=None),
        migrations.AddField(
            model_name="serviceoffering",
            name="price",
            field=models.DecimalField(blank=True, decimal_places=2, help_text="In this clinic's currency. Blank: no price is shown online (the clinic tells it).", max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(0)]),
        ),
        migrations.RunPython(fill_prices, restore_prices),
        migrations.RemoveField(model_name="service", name="price"),
    ]
