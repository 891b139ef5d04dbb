"""The event life cycle (draft, published, archived), modules, offered languages, series and
event creators.

Existing data: an event that was published stays published (first published: its last change,
the best moment known) and the move is logged; an unpublished one is a draft. Events linked by
an edition clone (the audit entries ``editions.cloned``) form one series, named after the
earliest edition's title without its year. Every existing event keeps every module and every
site language (nothing it showed disappears).
"""

import re

import django.db.models.deletion
import fusionforum.core.text
import fusionforum.events.models
from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    # The database being migrated, which need not be the default one.
    db = schema_editor.connection.alias
    Event = apps.get_model("events", "Event")
    EventSeries = apps.get_model("events", "EventSeries")
    EventTransition = apps.get_model("events", "EventTransition")
    AuditEntry = apps.get_model("core", "AuditEntry")
    for event in Event.objects.using(db).filter(is_published=True):
        Event.objects.using(db).filter(pk=event.pk).update(status="published",
                                                 published_at=event.updated_at)
        EventTransition.objects.using(db).create(event=event, from_status="draft", to_status="published",
                                       at=event.updated_at,
                                       note="Published before events had a life cycle")
    # Editions joined by clones: one series per connected group.
    parent: dict[int, int] = {}

    def root(pk):
        while parent.get(pk, pk) != pk:
            pk = parent[pk]
        return pk

    known = set(Event.objects.using(db).values_list("pk", flat=True))
    for entry in AuditEntry.objects.using(db).filter(action="editions.cloned", object_type="events.event"):
        try:
            new, source = int(entry.object_id), int((entry.data or {}).get("source_id"))
        except (TypeError, ValueError):
            continue
        if new in known and source in known:
            parent[root(new)] = root(source)
    groups: dict[int, list[int]] = {}
    for pk in parent:
        groups.setdefault(root(pk), []).append(pk)
    for members in groups.values():
        members = sorted(set(members) | {root(members[0])})
        events = list(Event.objects.using(db).filter(pk__in=members).order_by("start_date", "pk"))
        first = events[0]
        name = " ".join(re.sub(r"\b(19|20)\d\d\b", " ", first.title).split()) or first.title
        series = EventSeries.objects.using(db).create(name=name[:200], **{
            f"name_{first.default_language}": name[:200]})
        Event.objects.using(db).filter(pk__in=members).update(series=series)


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Event = apps.get_model("events", "Event")
    Event.objects.using(db).filter(status="published").update(is_published=True)
    Event.objects.using(db).filter(status="archived", published_at__isnull=False).update(is_published=True)


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0007_translatable_labels'),
        ('core', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EventSeries',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, validators=[fusionforum.core.text.validate_single_line], verbose_name='name')),
                ('name_en', models.CharField(max_length=200, null=True, validators=[fusionforum.core.text.validate_single_line], verbose_name='name')),
                ('name_fr', models.CharField(max_length=200, null=True, validators=[fusionforum.core.text.validate_single_line], verbose_name='name')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
            ],
            options={
                'verbose_name': 'event series',
                'verbose_name_plural': 'event series',
                'ordering': ['name', 'id'],
            },
        ),
        migrations.AddField(
            model_name='event',
            name='languages',
            field=models.JSONField(default=fusionforum.events.models.all_languages, help_text='The languages the event’s own texts are written in; the default language is one of them.', validators=[fusionforum.events.models.validate_language_list], verbose_name='languages offered'),
        ),
        migrations.AddField(
            model_name='event',
            name='modules',
            field=models.JSONField(blank=True, default=fusionforum.events.models.all_modules, help_text='The parts of the site this event uses; the others’ pages do not exist.', validators=[fusionforum.events.models.validate_modules], verbose_name='modules'),
        ),
        migrations.AddField(
            model_name='event',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='first published'),
        ),
        migrations.AddField(
            model_name='event',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('archived', 'Archived')], default='draft', max_length=20, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='EventCreator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('granted_at', models.DateTimeField(verbose_name='named')),
                ('granted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='named by')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='event_creator', to=settings.AUTH_USER_MODEL, verbose_name='person')),
            ],
            options={
                'verbose_name': 'event creator',
                'verbose_name_plural': 'event creators',
                'ordering': ['granted_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='event',
            name='series',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='events', to='events.eventseries', verbose_name='series'),
        ),
        migrations.CreateModel(
            name='EventTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('note', models.CharField(blank=True, max_length=300)),
                ('from_status', models.CharField(blank=True, max_length=20)),
                ('to_status', models.CharField(max_length=20)),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='events.event')),
            ],
            options={
                'verbose_name': 'event status change',
                'verbose_name_plural': 'event status changes',
                'ordering': ['at', 'id'],
                'abstract': False,
            },
        ),
            migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name='event',
            name='is_published',
        ),
    ]
