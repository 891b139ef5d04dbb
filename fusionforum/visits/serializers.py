"""Representations of tour seats, shared by the REST API and the webhook payloads. Never a
site-access value: those stay in the vault, for the security office only."""

from __future__ import annotations

from rest_framework import serializers

from .models import Seat, TourRun


class RunSerializer(serializers.ModelSerializer):
    tour = serializers.CharField(source="tour.name", read_only=True)

    class Meta:
        model = TourRun
        fields = ["id", "tour", "start", "duration_minutes", "meeting_point"]
        read_only_fields = fields


class SeatSerializer(serializers.ModelSerializer):
    run = RunSerializer(read_only=True)
    person = serializers.SerializerMethodField()

    class Meta:
        model = Seat
        fields = ["id", "run", "person", "status", "source", "created_at", "updated_at"]
        read_only_fields = fields

    def get_person(self, seat) -> dict:
        return {"id": seat.user_id, "name": seat.user.get_full_name(), "email": seat.user.email}
