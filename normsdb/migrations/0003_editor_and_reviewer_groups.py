"""The two editorial roles, as groups: Editors change records; Reviewers read records and
their history and mark an instrument's facts as reviewed."""

from django.db import migrations

APPS = ["instruments", "obligations"]


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    domain = Permission.objects.filter(content_type__app_label__in=APPS).exclude(
        content_type__model__startswith="historical"
    )
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.set(domain.filter(codename__regex=r"^(add|change|delete|view)_"))
    reviewer, _ = Group.objects.get_or_create(name="Reviewer")
    reviewer.permissions.set(
        list(domain.filter(codename__startswith="view_")) + list(
            Permission.objects.filter(content_type__app_label__in=APPS,
                                      codename__startswith="view_historical"))
        + list(domain.filter(codename="mark_reviewed"))
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Reviewer"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("normsdb", "0002_search_word"),
        ("instruments", "0003_mark_reviewed_permission"),
        ("obligations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
