"""Units become rows (agencies.Unit): each free-text unit of a membership or a pending role
request turns into a unit of that agency (code made from its name) and the person becomes a
member of it. The text columns go in 0004 (PostgreSQL does not alter a table in the
transaction that has just written rows referring to it)."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from vanban.agencies.unitcode import code_from_name, unique_code
from vanban.core.text import nfc


def _units_from_text(apps: Any, schema_editor: Any) -> None:
    Membership = apps.get_model("accounts", "Membership")
    RoleChangeRequest = apps.get_model("accounts", "RoleChangeRequest")
    Unit = apps.get_model("agencies", "Unit")
    UnitMembership = apps.get_model("accounts", "UnitMembership")
    units: dict[tuple[int, str], object] = {}
    taken: dict[int, set[str]] = {}

    def unit_for(agency_id: int, text: str):
        name = " ".join(nfc(text).split())
        if not name:
            return None
        key = (agency_id, name.casefold())
        if key not in units:
            codes = taken.setdefault(agency_id, set(Unit.objects.filter(agency_id=agency_id)
                                                    .values_list("code", flat=True)))
            units[key] = Unit.objects.create(agency_id=agency_id, name=name[:200],
                                             code=unique_code(code_from_name(name), codes),
                                             kind="office" if name.casefold() == "văn phòng" else "department")
        return units[key]

    for m in Membership.objects.exclude(unit="").order_by("id"):
        unit = unit_for(m.agency_id, m.unit)
        if unit is not None:
            UnitMembership.objects.get_or_create(user_id=m.user_id, unit=unit)
    for r in RoleChangeRequest.objects.exclude(unit="").order_by("id"):
        r.unit_ref = unit_for(r.agency_id, r.unit)
        r.save(update_fields=["unit_ref"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_role_change_request'),
        ('agencies', '0002_unit'),
    ]

    operations = [
        migrations.CreateModel(
            name='UnitMembership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rank', models.CharField(choices=[('head', 'Trưởng đơn vị'), ('deputy', 'Phó trưởng đơn vị'), ('member', 'Thành viên')], default='member', max_length=10, verbose_name='vị trí trong đơn vị')),
                ('position', models.CharField(blank=True, max_length=200, verbose_name='chức vụ')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='agencies.unit', verbose_name='đơn vị')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='unit_memberships', to=settings.AUTH_USER_MODEL, verbose_name='người dùng')),
            ],
            options={
                'verbose_name': 'thành viên đơn vị',
                'verbose_name_plural': 'thành viên đơn vị',
                'ordering': ['unit_id', 'id'],
                'constraints': [models.UniqueConstraint(fields=('user', 'unit'), name='unit_membership_unique')],
            },
        ),
        migrations.AddField(
            model_name='rolechangerequest',
            name='unit_ref',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.unit', verbose_name='phòng, đơn vị'),
        ),
        migrations.RunPython(_units_from_text, migrations.RunPython.noop),
    ]
