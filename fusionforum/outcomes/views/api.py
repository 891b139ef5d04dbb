"""The outcomes app's API: the published outcomes reports of an event (read only).

What the public report pages show (``outcomes.views.public``): the versions published and not
withdrawn, each with its frozen content (``fusionforum-outcomes/1``, the JSON download's);
a withdrawn version answers 410 Gone, as its page does. The working copy and the survey stay
on the organisers' pages.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from fusionforum.api.schema import EVENT_SLUG
from fusionforum.events.access import ApiEventResource
from fusionforum.events.models import Module

from .. import services
from ..models import ReportVersion
from ..serializers import ReportVersionSerializer

VERSION = OpenApiParameter("version", OpenApiTypes.INT, OpenApiParameter.PATH,
                           description="The version's number.")


class ReportVersionDetailSerializer(ReportVersionSerializer):
    report = serializers.JSONField(source="data", read_only=True, help_text=(
        "The published report as its JSON download gives it (`fusionforum-outcomes/1`)."))

    class Meta(ReportVersionSerializer.Meta):
        fields = [*ReportVersionSerializer.Meta.fields, "report"]
        read_only_fields = fields


class Gone(exceptions.APIException):
    status_code = 410
    default_detail = gettext_lazy("This version was withdrawn.")
    default_code = "withdrawn"


@extend_schema_view(
    list=extend_schema(summary="Published outcomes reports, oldest first",
                       parameters=[EVENT_SLUG]),
    retrieve=extend_schema(summary="A published outcomes report", parameters=[
        EVENT_SLUG, VERSION], responses={
        200: ReportVersionDetailSerializer,
        410: OpenApiResponse(description="The version was withdrawn (why, in `detail`).")}),
)
class ReportViewSet(ApiEventResource):
    module = Module.OUTCOMES
    serializer_class = ReportVersionSerializer
    cursor_key = "version"

    def get_queryset(self):
        return (ReportVersion.objects.filter(event=self.event()).select_related("event")
                .defer("data"))

    def list(self, request, slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, slug, version):
        found = services.published_version(self.event(), version)
        if found is None:
            raise exceptions.NotFound(_("No such version."))
        if found.withdrawn_at is not None:
            raise Gone(_("Version %(number)s of this outcomes report was withdrawn: "
                         "%(reason)s") % {"number": found.version,
                                          "reason": found.withdrawal_reason})
        return Response(ReportVersionDetailSerializer(found).data)
