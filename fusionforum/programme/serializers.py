"""The programme's representations, one per object, for the API and the webhooks' payloads.

They read the released programme (``public.Programme``, parsed from a release's frozen
snapshot, which holds public answers only), never the working copy: rooms, sessions, talks,
speakers, and the releases with their change lists."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Release


def _absolute(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class RoomSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    capacity = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField()


class ChairSerializer(serializers.Serializer):
    name = serializers.CharField()
    speaker = serializers.CharField(allow_null=True, help_text="The chair's speaker code, if "
                                                              "they have a speaker page.")


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    date = serializers.DateField(help_text="The programme day: a session past midnight "
                                           "belongs to the day it starts on.")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    room = serializers.SerializerMethodField()
    chairs = serializers.SerializerMethodField()
    livestream = serializers.IntegerField(source="stream_id", allow_null=True)
    talks = serializers.SerializerMethodField()
    speakers = serializers.ListField(source="speaker_codes", child=serializers.CharField())

    def get_room(self, session) -> int | None:
        return session.room.id if session.room else None

    @extend_schema_field(ChairSerializer(many=True))
    def get_chairs(self, session):
        speakers = self.context.get("speakers_by_code", {})
        return [{"name": name, "speaker": code if code in speakers else None}
                for code, name in zip(session.chair_codes, session.chair_names, strict=False)]

    def get_talks(self, session) -> list[str]:
        return [talk.code for talk in session.talks]


class AnswerSerializer(serializers.Serializer):
    key = serializers.CharField()
    number = serializers.IntegerField()
    question = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    scale_label = serializers.CharField(allow_blank=True)
    key_figures = serializers.ListField(child=serializers.DictField())
    categories = serializers.ListField(child=serializers.CharField())


class OrganisationSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, required=False)
    kind = serializers.CharField(allow_blank=True, required=False)
    kind_label = serializers.CharField(allow_blank=True, required=False)
    approach = serializers.CharField(allow_blank=True, required=False)
    approach_label = serializers.CharField(allow_blank=True, required=False)
    country = serializers.CharField(allow_blank=True, required=False)


class TalkSerializer(serializers.Serializer):
    code = serializers.CharField()
    guid = serializers.CharField()
    title = serializers.CharField()
    abstract = serializers.CharField(allow_blank=True)
    language = serializers.CharField(allow_blank=True)
    date = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    session = serializers.IntegerField(source="session_id")
    room = serializers.SerializerMethodField()
    speakers = serializers.ListField(source="speaker_codes", child=serializers.CharField())
    organisation = OrganisationSerializer()
    answers = AnswerSerializer(many=True, help_text="The answers the speakers made public.")
    has_slides = serializers.BooleanField()
    url = serializers.SerializerMethodField(help_text="The talk's public page.")
    slides_url = serializers.SerializerMethodField()

    def get_room(self, talk) -> int | None:
        return talk.room.id if talk.room else None

    def get_url(self, talk) -> str:
        return _absolute(self.context, talk.url)

    def get_slides_url(self, talk) -> str | None:
        if not talk.has_slides:
            return None
        slug = self.context["event"].slug
        return _absolute(self.context, reverse("programme:talk_slides", args=[slug, talk.code]))


class SpeakerSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    honorific = serializers.CharField(allow_blank=True)
    organisation = serializers.CharField(allow_blank=True)
    bio = serializers.CharField(allow_blank=True)
    talks = serializers.ListField(source="talk_codes", child=serializers.CharField())
    sessions = serializers.SerializerMethodField(help_text="Sessions they present or chair.")
    url = serializers.SerializerMethodField(help_text="The speaker's public page.")
    photo_url = serializers.SerializerMethodField()

    def get_sessions(self, speaker) -> list[int]:
        return sorted({s.id for s in speaker.presented} | {s.id for s in speaker.chaired})

    def get_url(self, speaker) -> str:
        return _absolute(self.context, speaker.url)

    def get_photo_url(self, speaker) -> str | None:
        if not speaker.has_photo:
            return None
        slug = self.context["event"].slug
        return _absolute(self.context,
                         reverse("programme:speaker_photo", args=[slug, speaker.code]))


CHANGE_KINDS = ("added", "removed", "moved", "changed", "sessions_changed")


class ChangeCountsSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    moved = serializers.IntegerField()
    changed = serializers.IntegerField()
    sessions_changed = serializers.IntegerField()


class ReleaseSerializer(serializers.ModelSerializer):
    """A numbered release of the programme: when, the organisers' public comment, and how
    many talks and sessions it changed against the previous one."""

    previous_version = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The release in the API.")

    class Meta:
        model = Release
        fields = ["id", "version", "released_at", "comment", "previous_version", "counts",
                  "url"]

    def get_previous_version(self, release) -> int | None:
        return (release.changes or {}).get("previous_version")

    @extend_schema_field(ChangeCountsSerializer)
    def get_counts(self, release):
        changes = release.changes or {}
        return {kind: len(changes.get(kind, [])) for kind in CHANGE_KINDS}

    def get_url(self, release) -> str:
        return _absolute(self.context, reverse("api:release-detail", kwargs={
            "slug": release.event.slug, "version": release.version}))


class PlaceSerializer(serializers.Serializer):
    start = serializers.CharField(allow_null=True, required=False)
    end = serializers.CharField(allow_null=True, required=False)
    room = serializers.CharField(allow_null=True, required=False)


class MoveSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(allow_blank=True, required=False)
    locals()["from"] = PlaceSerializer(required=False)  # a Python keyword, set this way
    to = PlaceSerializer(required=False)


class FieldChangeSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(allow_blank=True, required=False)
    fields = serializers.ListField(child=serializers.CharField())


class SessionChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True, required=False)
    fields = serializers.ListField(child=serializers.CharField())


class ChangesSerializer(serializers.Serializer):
    """What a release changed (``programme/diff.py``): talk codes added and removed, talks
    moved (from, to), talks and sessions whose public fields changed."""

    added = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())
    moved = MoveSerializer(many=True)
    changed = FieldChangeSerializer(many=True)
    sessions_changed = SessionChangeSerializer(many=True)


class ReleaseDetailSerializer(ReleaseSerializer):
    changes = serializers.SerializerMethodField()

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "changes"]

    @extend_schema_field(ChangesSerializer)
    def get_changes(self, release):
        changes = {kind: [] for kind in CHANGE_KINDS} | {
            kind: value for kind, value in (release.changes or {}).items() if kind in CHANGE_KINDS}
        return ChangesSerializer(changes).data


class ReleaseRequestSerializer(serializers.Serializer):
    """Releasing the working copy as the next version (organisers, as on the releases page)."""

    comment = serializers.CharField(allow_blank=True, required=False, max_length=2000,
                                    default="", help_text="Shown with the change list.")
