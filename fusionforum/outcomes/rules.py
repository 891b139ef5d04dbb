"""Who may use the outcomes report's pages (object: the Event). The report itself is public."""

import rules

from fusionforum.events.rules import can_manage_event

from . import services


@rules.predicate
def answers_survey(user, event):
    """Signed in with a confirmed registration: answers for its organisation."""
    return event is not None and services.survey_organisation(event, user) is not None


rules.add_perm("outcomes.manage_report", can_manage_event)
rules.add_perm("outcomes.manage_editions", can_manage_event)
# Participants answer the survey; organisers see the form as a preview.
rules.add_perm("outcomes.see_survey", answers_survey | can_manage_event)
