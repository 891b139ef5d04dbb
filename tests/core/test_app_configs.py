"""Every app of the project runs its own AppConfig. When a module ``apps.py`` holds more than one
AppConfig class (or imports one), Django stops choosing by itself and silently falls back to the
bare AppConfig: its ``ready`` never runs, so nothing it connects or registers exists (this once
switched off the receiver that stores text with LF line ends, for every model)."""

from django.apps import AppConfig, apps


def test_every_project_app_runs_its_own_app_config():
    bare = [config.name for config in apps.get_app_configs()
            if config.name.startswith("fusionforum.") and type(config) is AppConfig]
    assert bare == []
