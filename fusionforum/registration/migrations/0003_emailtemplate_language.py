"""One organisers' version of each registration e-mail per language: the existing versions
are in the event's default language."""

from django.db import migrations, models

import fusionforum.core.languages


def existing_in_default_language(apps, schema_editor):
    EmailTemplate = apps.get_model("registration", "EmailTemplate")
    for template in EmailTemplate.objects.select_related("event"):
        EmailTemplate.objects.filter(pk=template.pk).update(
            language=template.event.default_language or "en")


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0005_languages"),
        ("registration", "0002_translated_content"),
    ]

    operations = [
        migrations.AddField(
            model_name="emailtemplate",
            name="language",
            field=models.CharField(default="en", max_length=10,
                                   validators=[fusionforum.core.languages.validate_language_code]),
            preserve_default=False,
        ),
        migrations.RunPython(existing_in_default_language, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="emailtemplate",
            name="unique_email_template",
        ),
        migrations.AddConstraint(
            model_name="emailtemplate",
            constraint=models.UniqueConstraint(fields=("event", "key", "language"),
                                               name="unique_email_template_language"),
        ),
    ]
