"""Representations of the published outcomes report, shared by the REST API and the webhook
payloads: the version, when, its public comment and the links to the published report (its
content is public; the links serve it in every format)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from .models import ReportVersion


class ReportVersionSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    themes = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = ReportVersion
        fields = ["id", "event", "version", "published_at", "comment", "themes", "links"]
        read_only_fields = fields

    def get_themes(self, version) -> int:
        return len(version.data.get("themes", []))

    def get_links(self, version) -> dict[str, str]:
        kwargs = {"slug": version.event.slug, "number": version.version}
        return {"report": settings.SITE_URL + reverse("outcomes:version", kwargs=kwargs),
                "json": settings.SITE_URL + reverse("outcomes:version_json", kwargs=kwargs)}
