def posted_data(request):
    """The data to bind a form to: the POST body on a POST (even an empty one, so that a blank
    submission is validated and answered with errors, not ignored), else None (unbound)."""
    return request.POST if request.method == "POST" else None


class AccessibleFormMixin:
    """Links each input to its help text and error messages (``aria-describedby``) and marks
    invalid inputs (``aria-invalid``), matching the ids the templates give those texts."""

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
