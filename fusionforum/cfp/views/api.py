"""The call for presentations' API: submissions for organisers and reviewers, each person's own
submissions, the reviews, and a reviewer writing their review.

Who sees which submissions is what their web pages show: the event's organisers the
decisions overview's (sent to the call, withdrawn ones included; ``cfp.manage_call``), a
reviewer their assignments without a conflict (``review.assignments_of``, ``cfp.review_call``
then ``cfp.review_submission`` per submission), a speaker their own (``cfp.edit_own_submission``).
The answers to the three questions go through ``visibility`` with the purpose of everything
that leaves the platform (``Purpose.MACHINE_EXPORT``, in ``serializers``): public answers only,
whoever asks; confidential and aggregate-only answers stay on the pages.

Reviews follow the review page's rules (``review.other_reviews``): a reviewer reads the others'
reviews only once theirs is submitted, and unsigned ("reviewer 2"); organisers read every
submitted review with its reviewer's name. Writing a review is ``review.save_review``, the
service of the review page (same validation, same window, same conflicts).
"""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from fusionforum.api.errors import Conflict
from fusionforum.api.permissions import in_reach
from fusionforum.api.resources import OwnListViewSet
from fusionforum.api.schema import EVENT_SLUG
from fusionforum.events.access import ApiEventResource, api_event
from fusionforum.events.models import Module

from .. import review
from ..models import Review, Submission
from ..review_forms import DecisionForm
from ..serializers import SubmissionSerializer
from ..states import DECISIONS, UNDER_REVIEW, SubmissionState
from .review import DECIDED

MANAGE = "cfp.manage_call"
REVIEW = "cfp.review_call"
REVIEW_ONE = "cfp.review_submission"
OWN = "cfp.edit_own_submission"
SIGNED_IN = "cfp.submit"

CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                        description="The submission's code.")
# What the organisers' overview lists.
ORGANISER_STATES = UNDER_REVIEW | {SubmissionState.WITHDRAWN}


class ScoreSerializer(serializers.Serializer):
    category = serializers.IntegerField(source="category_id", min_value=1, max_value=2**63 - 1,
                                        help_text="The score category's number.")
    value = serializers.IntegerField(min_value=0, max_value=1000)


class ReviewSerializer(serializers.ModelSerializer):
    """A review as the page shows it: the reviewer's name only to organisers (and on one's
    own review); other reviewers read "reviewer N" (``number``)."""

    submission = serializers.CharField(source="submission.code", read_only=True)
    number = serializers.SerializerMethodField()
    reviewer = serializers.SerializerMethodField()
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "submission", "number", "reviewer", "scores", "weighted_score",
                  "comment_to_organisers", "comment_to_speaker", "submitted_at", "updated_at"]
        read_only_fields = fields

    def get_number(self, obj) -> int | None:
        return self.context.get("numbers", {}).get(obj.pk)

    def get_reviewer(self, obj) -> dict | None:
        if not self.context.get("signed", False):
            return None
        return {"id": obj.reviewer_id,
                "name": obj.reviewer.get_full_name() or obj.reviewer.email}


class ReviewWriteSerializer(serializers.Serializer):
    scores = ScoreSerializer(many=True, required=False, default=list, help_text=(
        "One score per category (`GET .../score-categories/` on the page; a category left "
        "out stays unscored in a draft)."))
    comment_to_organisers = serializers.CharField(required=False, allow_blank=True,
                                                  default="", max_length=5000)
    comment_to_speaker = serializers.CharField(required=False, allow_blank=True, default="",
                                               max_length=5000)
    submit = serializers.BooleanField(required=False, default=False, help_text=(
        "Submit the review (every category scored); a submitted review stays submitted."))

    def validate_scores(self, value):
        seen = {}
        for item in value:
            if item["category_id"] in seen:
                raise serializers.ValidationError(_("One score per category."))
            seen[item["category_id"]] = item["value"]
        return seen


def _is_organiser(request, event) -> bool:
    return rules.has_perm(MANAGE, request.user, event)


class SubmissionResource(ApiEventResource):
    """The submissions of an event as its organisers (every one sent to the call) or a
    reviewer (their assignments) read them."""

    module = Module.CALL
    serializer_class = SubmissionSerializer
    cursor_key = "id"
    second_factor = (MANAGE, REVIEW, REVIEW_ONE)
    login_first = (MANAGE, REVIEW)

    @property
    def permissions(self):
        # The organisers' pages ask cfp.manage_call, the reviewers' cfp.review_call.
        event = self.loaded_event()
        name = MANAGE if _is_organiser(self.request, event) else REVIEW
        return dict.fromkeys(("list", "retrieve", "reviews", "own_review", "write_review"),
                             name)

    def loaded_event(self):
        if not hasattr(self, "_loaded"):
            self._loaded = api_event(self.request, self.kwargs["slug"], module=self.module)
        return self._loaded

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "viewer": self.request.user}

    def get_queryset(self):
        event = self.event()
        submissions = Submission.objects.filter(event=event).select_related("event",
                                                                            "organisation")
        if _is_organiser(self.request, event):
            submissions = submissions.filter(state__in=ORGANISER_STATES)
        else:
            submissions = submissions.filter(
                pk__in=[a.submission.pk for a in review.assignments_of(event,
                                                                        self.request.user)])
        state = self.request.query_params.get("state")
        if state:
            if state not in SubmissionState.values:
                raise exceptions.ValidationError({"state": [_("Choose one of: %(values)s.") % {
                    "values": ", ".join(SubmissionState.values)}]})
            submissions = submissions.filter(state=state)
        return submissions

    def submission(self, code) -> Submission:
        found = self.get_queryset().filter(code=code).first()
        if found is None:
            raise exceptions.NotFound(_("No such submission."))
        return found


@extend_schema_view(
    list=extend_schema(
        summary="Submissions (organisers, reviewers)",
        description="Organisers: every submission sent to the call (withdrawn ones "
                    "included). Reviewers: the submissions assigned to them without a "
                    "conflict. Public answers only.",
        parameters=[EVENT_SLUG, OpenApiParameter("state", OpenApiTypes.STR,
                                                 enum=SubmissionState.values,
                                                 description="Only submissions in this "
                                                             "state.")]),
    retrieve=extend_schema(summary="A submission (organisers, reviewers)",
                           parameters=[EVENT_SLUG, CODE]),
)
class SubmissionViewSet(SubmissionResource):
    def list(self, request, slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, slug, code):
        return Response(self.get_serializer(self.submission(code)).data)


class ReviewsHiddenError(exceptions.PermissionDenied):
    default_detail = gettext_lazy("Submit your own review to see the others.")
    default_code = "reviews_hidden"


@extend_schema_view(list=extend_schema(
    summary="Submitted reviews of a submission",
    description="Organisers: every submitted review, signed. A reviewer: the others' "
                "submitted reviews, unsigned, once their own is submitted (403 "
                "`reviews_hidden` before).",
    parameters=[EVENT_SLUG, CODE], responses=ReviewSerializer(many=True)))
class ReviewListViewSet(SubmissionResource):
    serializer_class = ReviewSerializer
    pagination_class = None

    def list(self, request, slug, code):
        submission = self.submission(code)
        try:
            found = review.other_reviews(submission, request.user)
        except review.ReviewsHidden as hidden:
            raise ReviewsHiddenError(str(hidden)) from None
        except PermissionDenied:
            raise exceptions.NotFound(_("No such submission.")) from None
        context = {**self.get_serializer_context(),
                   "signed": _is_organiser(request, submission.event),
                   "numbers": {r.pk: n for n, r in enumerate(found, start=1)}}
        return Response(ReviewSerializer(found, many=True, context=context).data)


@extend_schema_view(
    retrieve=extend_schema(summary="My review of a submission (reviewers)",
                           parameters=[EVENT_SLUG, CODE]),
    update=extend_schema(
        summary="Write my review of a submission (reviewers)",
        description="As the review page: saves a draft, or submits it with `submit` (every "
                    "category scored). Refused with 409 once reviewing is closed; field "
                    "errors in `errors` (`scores.<category>`, comments).",
        parameters=[EVENT_SLUG, CODE], request=ReviewWriteSerializer,
        responses={200: ReviewSerializer}),
)
class OwnReviewViewSet(SubmissionResource):
    serializer_class = ReviewSerializer
    permissions = {"retrieve": REVIEW, "update": REVIEW}

    def get_queryset(self):
        event = self.event()
        return Submission.objects.filter(
            event=event, pk__in=[a.submission.pk for a in review.assignments_of(
                event, self.request.user)]).select_related("event", "organisation")

    def _answer(self, found):
        return Response(ReviewSerializer(found, context={"signed": True}).data)

    def retrieve(self, request, slug, code):
        found = review.review_of(self.submission(code), request.user)
        if found is None:
            raise exceptions.NotFound(_("You have not written a review of this submission "
                                        "yet."))
        return self._answer(found)

    def update(self, request, slug, code):
        submission = self.submission(code)
        body = ReviewWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            review.save_review(
                submission, request.user, scores=data["scores"],
                comment_to_organisers=data["comment_to_organisers"],
                comment_to_speaker=data["comment_to_speaker"], submit=data["submit"])
        except ValidationError as exc:
            errors = {("scores." + key.removeprefix("score_") if key.startswith("score_")
                       else "non_field_errors" if key == "__all__" else key): value
                      for key, value in exc.message_dict.items()}
            raise exceptions.ValidationError(errors) from None
        except review.ReviewError as exc:
            raise Conflict(str(exc)) from None
        return self._answer(review.review_of(submission, request.user))


# The form's choices, in its order.
DECISION_CHOICES = [state.value for state in SubmissionState if state in DECISIONS]


class DecisionWriteSerializer(serializers.Serializer):
    """The decision form of the organisers' submission page (``review_forms.DecisionForm``,
    which validates it)."""

    decision = serializers.ChoiceField(choices=DECISION_CHOICES, help_text=(
        "Accept, reject or put on the waiting list (or correct an earlier decision, as the "
        "submission's life cycle allows)."))
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=5, max_value=240,
        help_text="The talk's length on acceptance; empty: the call's default length.")
    include_reviewer_comments = serializers.BooleanField(
        required=False, default=False,
        help_text="Include the reviewers' comments to the speakers in the e-mail.")
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=DecisionForm.base_fields["note"].max_length,
                                 help_text="Internal note, kept in the submission's history.")

    def validate(self, attrs):
        form = DecisionForm({key: value for key, value in attrs.items()
                             if value is not None and value is not False})
        if not form.is_valid():
            raise serializers.ValidationError(
                {("non_field_errors" if key == "__all__" else key): value
                 for key, value in form.errors.items()})
        return form.cleaned_data


class DecisionResultSerializer(serializers.Serializer):
    outcome = serializers.CharField(read_only=True, help_text="What happened, as the page "
                                                              "says it.")
    submission = SubmissionSerializer(read_only=True)


@extend_schema_view(create=extend_schema(
    summary="Decide on a submission (organisers)",
    description="As the decision form of the organisers' submission page: "
                "`review.decide` accepts, rejects or waitlists it (an earlier decision may be "
                "corrected as the life cycle allows) and e-mails every speaker. Refused with "
                "409 when the submission's state does not allow it (the page's message in "
                "`detail`); field errors in `errors`.",
    parameters=[EVENT_SLUG, CODE], request=DecisionWriteSerializer,
    responses={200: DecisionResultSerializer}))
class DecisionViewSet(SubmissionResource):
    permissions = {"create": MANAGE}

    def create(self, request, slug, code):
        event = self.event()
        submission = (Submission.objects.select_related("event", "organisation")
                      .filter(event=event, code=code, state__in=ORGANISER_STATES).first())
        if submission is None:
            raise exceptions.NotFound(_("No such submission."))
        body = DecisionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            review.decide(submission, data["decision"], by=request.user, note=data["note"],
                          include_reviewer_comments=data["include_reviewer_comments"],
                          duration_minutes=data["duration_minutes"])
        except PermissionDenied:
            raise exceptions.NotFound(_("No such submission.")) from None
        except review.EXPECTED_ERRORS as exc:
            raise Conflict(review.error_text(exc)) from None
        submission.refresh_from_db()
        outcome = DECIDED[data["decision"]]() % {"title": submission.title}
        return Response({"outcome": outcome, "submission": SubmissionSerializer(
            submission, context=self.get_serializer_context()).data})


@extend_schema_view(list=extend_schema(
    summary="My submissions",
    description="The submissions the signed-in person wrote or speaks in, in every event "
                "the token reaches. Public answers only.",
    parameters=[OpenApiParameter("event", OpenApiTypes.STR,
                                 description="Only this event's (its short name).")]))
class OwnSubmissionViewSet(OwnListViewSet):
    permissions = {"list": SIGNED_IN}
    login_first = (SIGNED_IN,)
    serializer_class = SubmissionSerializer
    cursor_key = "id"

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "viewer": self.request.user}

    def get_queryset(self):
        user = self.request.user
        speaking = Submission.objects.filter(speaker_links__user=user).values("pk")
        submissions = (Submission.objects.filter(Q(pk__in=speaking) | Q(created_by=user))
                       .select_related("event", "organisation"))
        return in_reach(self.request, submissions)
