from django.db import migrations

from vinculo.identity.roles import BUILTIN_ROLES


def create_roles(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for name, spec in BUILTIN_ROLES.items():
        Role.objects.update_or_create(
            name=name,
            defaults={"label": spec["label"], "permissions": spec["permissions"],
                      "is_admin": spec["is_admin"], "builtin": True},
        )


class Migration(migrations.Migration):
    dependencies = [("identity", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
