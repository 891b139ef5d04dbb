"""The migrations match the models, and each squashed migration stands for every older one of
its app (a new database runs the squashed one; a database that ran the old ones keeps them)."""

from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader


@pytest.mark.django_db
def test_models_need_no_new_migration():
    # makemigrations --check exits non-zero when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_each_squashed_migration_replaces_every_older_migration_of_its_app():
    loader = MigrationLoader(None, replace_migrations=False)
    for (app_label, name), migration in loader.disk_migrations.items():
        if not migration.replaces:
            continue
        folder = Path(apps.get_app_config(app_label).path) / "migrations"
        older = sorted(path.stem for path in folder.glob("0*.py")
                       if path.stem != name and path.stem <= name.removeprefix("0001_squashed_"))
        assert sorted(replaced for _, replaced in migration.replaces) == older, name
        assert {label for label, _ in migration.replaces} == {app_label}


def test_a_new_database_uses_the_squashed_migrations():
    graph = MigrationLoader(None).graph
    names = {name for app_label, name in graph.nodes if app_label == "events"}
    assert any(name.startswith("0001_squashed_") for name in names)
    assert "0006_translated_content" not in names


@pytest.mark.django_db
def test_the_test_database_is_fully_migrated():
    """The test database is a copy of the run's migrated database (tests/cloned_database.py):
    no migration is left to apply, and what migrate's post_migrate handlers make is there."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    models = [model for model in apps.get_models() if model._meta.managed]
    assert ContentType.objects.count() >= len(models)
    assert Permission.objects.filter(content_type__app_label="events").exists()
    tables = set(connection.introspection.table_names())
    assert {model._meta.db_table for model in models} <= tables
