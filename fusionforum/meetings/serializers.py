"""Representations of the published meetings day, shared by the REST API and the webhook
payloads. A published version is told by its number, date and counts, with links; the
meetings themselves (and their topics, which may be confidential) stay on the pages that
apply ``topics.visible_topic``."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from .models import MeetingRelease


class MeetingReleaseSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    meetings = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = MeetingRelease
        fields = ["id", "event", "version", "published_at", "meetings", "changes", "links"]
        read_only_fields = fields

    def get_meetings(self, release) -> int:
        return len(release.snapshot.get("meetings", []))

    def get_changes(self, release) -> dict[str, int]:
        return {kind: len(release.changes.get(kind, []) or [])
                for kind in ("added", "removed", "moved")}

    def get_links(self, release) -> dict[str, str]:
        return {"meetings": settings.SITE_URL + reverse("meetings:home",
                                                        kwargs={"slug": release.event.slug})}
