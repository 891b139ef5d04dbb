"""Representations of submissions, shared by the REST API and the webhook payloads.

The answers to the three questions go through the one policy (``visibility``) with the purpose
of an organiser-facing machine export (``Purpose.MACHINE_EXPORT``): only answers their authors
made public leave the platform; confidential and aggregate-only answers never do."""

from __future__ import annotations

from rest_framework import serializers

from .models import Submission
from .visibility import Purpose, visible_answers


class AnswerSerializer(serializers.Serializer):
    question = serializers.CharField(source="question.key", read_only=True)
    text = serializers.CharField(read_only=True)
    visibility = serializers.CharField(read_only=True)


class SubmissionSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = ["code", "guid", "event", "state", "title", "abstract", "language",
                  "organisation", "duration_minutes", "submitted_at", "updated_at", "answers"]
        read_only_fields = fields

    def get_answers(self, submission) -> list[dict]:
        viewer = self.context.get("viewer")
        return AnswerSerializer(visible_answers(submission, viewer, Purpose.MACHINE_EXPORT),
                                many=True).data
