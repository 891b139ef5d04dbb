"""The representation of a programme release in webhook payloads: its number, when, the
counts of changes and the links to the public programme and its exports (the programme
itself is public and read from those links or from the REST API)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from fusionforum.programme.models import Release


class ReleaseSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    changes = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = ["id", "event", "version", "released_at", "comment", "changes", "links"]
        read_only_fields = fields

    def get_changes(self, release) -> dict[str, int]:
        return {kind: len(release.changes.get(kind, []) or [])
                for kind in ("added", "removed", "moved", "changed")}

    def get_links(self, release) -> dict[str, str]:
        slug = {"slug": release.event.slug}
        return {
            "programme": settings.SITE_URL + reverse("programme:programme", kwargs=slug),
            "changes": settings.SITE_URL + reverse("programme:changes", kwargs=slug),
            "json": settings.SITE_URL + reverse("programme_exports:programme_json",
                                                kwargs=slug),
        }
