"""Representations of registrations and check-ins, shared by the REST API and the webhook
payloads (one representation per object). What an organiser reads on the registration desk,
without the answers to the event's own questions (they stay on the desk and its exports)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from .models import Registration


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)
    email = serializers.EmailField(read_only=True)


@extend_schema_serializer(component_name="RegistrationOrganisation")
class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)


class RegistrationSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    person = PersonSerializer(source="user", read_only=True)
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "event", "status", "person", "organisation", "seat_pool",
                  "submitted_at", "waitlisted_at", "offer_expires_at", "checked_in_at",
                  "updated_at"]
        read_only_fields = fields


class CheckInSerializer(serializers.Serializer):
    """A person let in at the front desk: the registration, when, and by whom."""

    registration = RegistrationSerializer(source="*", read_only=True)
    checked_in_at = serializers.DateTimeField(read_only=True)
    checked_in_by = serializers.CharField(source="checked_in_by.get_full_name", default=None,
                                          read_only=True)
