"""The events app's representations, one per object, for the API and the webhooks' payloads:
an event, its days, its livestreams as the public may know them at a moment."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from .models import Day, Event, EventStatus, Module, StreamState


class VenueSerializer(serializers.Serializer):
    name = serializers.CharField(source="venue_name")
    address = serializers.CharField(source="venue_address")
    map_url = serializers.SerializerMethodField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)

    def get_map_url(self, event) -> str | None:
        return event.venue_map_url or None


class DaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Day
        fields = ["date", "label", "summary"]


class EventSerializer(serializers.ModelSerializer):
    venue = VenueSerializer(source="*")
    status = serializers.ChoiceField(choices=EventStatus.choices)
    languages = serializers.ListField(child=serializers.CharField())
    modules = serializers.ListField(child=serializers.ChoiceField(choices=Module.choices))
    demo_data = serializers.BooleanField(source="is_demo")
    days = DaySerializer(many=True)
    url = serializers.SerializerMethodField(help_text="The event's public page.")

    class Meta:
        model = Event
        fields = ["slug", "title", "tagline", "status", "start_date", "end_date", "time_zone",
                  "default_language", "languages", "modules", "description", "venue",
                  "public_email", "days", "demo_data", "url"]

    def get_url(self, event) -> str:
        path = reverse("events:home", args=[event.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class LivestreamSerializer(serializers.Serializer):
    """A stream as ``events.services.public_streams`` gives it: ``url`` is null before the
    stream goes live (then the replay after it, if any)."""

    id = serializers.IntegerField()
    label = serializers.CharField()
    day = serializers.CharField(source="day_label", allow_blank=True)
    state = serializers.ChoiceField(choices=[(s.value, s.value) for s in StreamState])
    visible_from = serializers.DateTimeField()
    visible_until = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, stream) -> str | None:
        return stream.url or None
