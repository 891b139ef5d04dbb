from django import forms

from fusionforum.core.text import (
    LINE_BREAKS,
    POLICY_VALIDATORS,
    normalise_newlines,
    validate_multiline,
    validate_single_line,
)


def posted_data(request):
    """The data to bind a form to: the POST body on a POST (even an empty one, so that a blank
    submission is validated and answered with errors, not ignored), else None (unbound)."""
    return request.POST if request.method == "POST" else None


def has_text_policy(field) -> bool:
    return any(v in POLICY_VALIDATORS for v in field.validators)


def apply_text_policy(form) -> None:
    """The input policy (``core.text``) for every text field of ``form`` that does not name
    its own: a text area may hold line breaks, any other text input must fit on one line.
    Password inputs are left alone (they are compared, never shown)."""
    for field in form.fields.values():
        if (not isinstance(field, forms.CharField) or has_text_policy(field)
                or isinstance(field.widget, forms.PasswordInput)):
            continue
        multiline = isinstance(field.widget, forms.Textarea)
        field.validators.append(validate_multiline if multiline else validate_single_line)


def normalised_data(data):
    """Bound data with LF line ends (a copy, only when some value has another line break)."""
    if data is None or not hasattr(data, "items"):
        return data
    lists = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    if not any(isinstance(v, str) and any(b in v for b in LINE_BREAKS)
               for _, values in lists for v in values):
        return data
    if hasattr(data, "lists"):
        copy = data.copy()
        for key, values in data.lists():
            copy.setlist(key, [normalise_newlines(v) for v in values])
        return copy
    return {key: normalise_newlines(value) for key, value in data.items()}


class TextPolicyMixin:
    """Every text field of the form under the input policy: line breaks of the bound data
    become LF before any validator runs (web requests already arrive so, through
    ``core.middleware.normalise_line_breaks``; this covers forms bound to other data), and text
    fields without a policy validator get the one their widget implies."""

    def full_clean(self):
        if self.is_bound:
            self.data = normalised_data(self.data)
        apply_text_policy(self)
        super().full_clean()


class TextPolicyModelForm(TextPolicyMixin, forms.ModelForm):
    """The back office's default form (``ModelAdmin.form``), so its text inputs follow the
    same policy as the product's own pages."""


class AccessibleFormMixin(TextPolicyMixin):
    """Links each input to its help text and error messages (``aria-describedby``) and marks
    invalid inputs (``aria-invalid``), matching the ids the templates give those texts; and,
    through ``TextPolicyMixin``, puts every text field under the input policy."""

    def full_clean(self):
        super().full_clean()
        self._describe_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe_fields()

    def _describe_fields(self):
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}-help")
            if name in errors:
                described.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
