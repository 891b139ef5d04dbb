"""One organisers' version of each of the call's e-mails per language: the existing versions
are in the event's default language."""

from django.db import migrations, models

import fusionforum.core.languages


def existing_in_default_language(apps, schema_editor):
    CfpEmailTemplate = apps.get_model("cfp", "CfpEmailTemplate")
    for template in CfpEmailTemplate.objects.select_related("event"):
        CfpEmailTemplate.objects.filter(pk=template.pk).update(
            language=template.event.default_language or "en")


class Migration(migrations.Migration):

    dependencies = [
        ("cfp", "0004_translated_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="cfpemailtemplate",
            name="language",
            field=models.CharField(default="en", max_length=10, verbose_name="language",
                                   validators=[fusionforum.core.languages.validate_language_code]),
            preserve_default=False,
        ),
        migrations.RunPython(existing_in_default_language, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="cfpemailtemplate",
            name="unique_cfp_email_template",
        ),
        migrations.AddConstraint(
            model_name="cfpemailtemplate",
            constraint=models.UniqueConstraint(fields=("event", "key", "language"),
                                               name="unique_cfp_email_template_language"),
        ),
    ]
