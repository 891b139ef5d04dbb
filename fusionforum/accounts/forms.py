from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    SetPasswordForm,
    UserChangeForm,
)
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from fusionforum.core.forms import AccessibleFormMixin, TextPolicyMixin
from fusionforum.core.languages import language_choices, speaking_to
from fusionforum.core.text import validate_single_line
from fusionforum.notifications.services import queue_email

from .models import Organisation, User, normalise_email
from .services import normalise_name, site_domain_and_https


class UserCreationForm(TextPolicyMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email


class UserEditForm(TextPolicyMixin, UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "organisation")


# Participants' forms -----------------------------------------------------------------------------

PASSWORD_HELP = _("At least 10 characters. Not a common password, not only digits, and not "
                  "like your name or e-mail address.")


class OrganisationChoiceForm(forms.Form):
    """Choose an existing organisation or describe a new one (validated by the model's own
    rules: a fusion approach for private fusion developers and for no one else)."""

    EXISTING, NEW = "existing", "new"
    NEW_FIELDS = ("org_name", "org_kind", "org_country", "org_website", "org_fusion_approach")

    organisation_mode = forms.ChoiceField(
        label=_("Your organisation"),
        choices=[(EXISTING, _("It is in the list")), (NEW, _("It is not in the list yet: add it"))],
        widget=forms.RadioSelect, initial=EXISTING,
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), required=False,
        empty_label=_("Choose your organisation"),
        widget=forms.Select(attrs={"autocomplete": "organization"}),
    )
    org_name = forms.CharField(
        label=_("Name of the new organisation"), max_length=200, required=False,
        validators=[validate_single_line],
    )
    org_kind = forms.ChoiceField(
        label=_("Kind of organisation"), required=False,
        choices=[("", _("Choose a kind"))] + list(Organisation.Kind.choices),
    )
    org_country = forms.ChoiceField(label=_("Country"), required=False)
    org_website = forms.URLField(label=_("Website"), required=False, max_length=300,
                                 assume_scheme="https")
    org_fusion_approach = forms.ChoiceField(
        label=_("Fusion approach"), required=False,
        choices=[("", _("None (not a private fusion developer)"))]
        + list(Organisation.Approach.choices),
        help_text=_("Required for private fusion developers; leave it at “None” otherwise."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        country_field = Organisation._meta.get_field("country").formfield()
        self.fields["org_country"].choices = [("", _("Choose a country"))] + [
            choice for choice in country_field.choices if choice[0]
        ]

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("organisation_mode")
        # Only the chosen half of the widget counts; what was typed into the other is ignored.
        ignored = self.NEW_FIELDS if mode == self.EXISTING else ("organisation",)
        for name in ignored:
            self._errors.pop(name, None)
        if mode == self.EXISTING:
            if not cleaned.get("organisation") and "organisation" not in self.errors:
                self.add_error("organisation", _("Choose your organisation, or add a new one."))
        elif mode == self.NEW:
            self._clean_new_organisation(cleaned)
        return cleaned

    def _clean_new_organisation(self, cleaned):
        if any(name in self.errors for name in self.NEW_FIELDS):
            return
        organisation = Organisation(
            name=cleaned.get("org_name") or "", kind=cleaned.get("org_kind") or "",
            country=cleaned.get("org_country") or "", website=cleaned.get("org_website") or "",
            fusion_approach=cleaned.get("org_fusion_approach") or "",
        )
        try:
            # The database constraints are checked below with a clearer message.
            organisation.full_clean(exclude=["created_at"], validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = f"org_{field}" if f"org_{field}" in self.fields else None
                for message in messages:
                    self.add_error(target, message)
            return
        if Organisation.objects.filter(name__iexact=organisation.name).exists():
            self.add_error("org_name", _("An organisation with this name already exists; "
                                         "choose it from the list."))
            return
        cleaned["new_organisation"] = organisation

    def chosen_organisation(self) -> Organisation:
        """The existing organisation, or the new (unsaved, validated) one."""
        if self.cleaned_data["organisation_mode"] == self.NEW:
            return self.cleaned_data["new_organisation"]
        return self.cleaned_data["organisation"]


class SignupForm(AccessibleFormMixin, OrganisationChoiceForm):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("You log in with it. We send a link to confirm it."),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=language_choices, required=False,
        help_text=_("The language of the site, of your e-mails and of your documents."),
    )

    field_order = ["full_name", "email", "password", "preferred_language", "organisation_mode",
                   "organisation", *OrganisationChoiceForm.NEW_FIELDS]

    def clean_full_name(self):
        name = normalise_name(self.cleaned_data["full_name"])
        if not name:
            raise ValidationError(_("Enter your name."))
        return name

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_(
                "An account with this e-mail address already exists. Log in, or reset your "
                "password if you forgot it."
            ))
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email") or "",
                             full_name=cleaned.get("full_name") or "")
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class ProfileForm(AccessibleFormMixin, OrganisationChoiceForm):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=language_choices, required=False,
        help_text=_("The language of the site, of your e-mails and of your documents."),
    )

    field_order = ["full_name", "preferred_language", "organisation_mode", "organisation",
                   *OrganisationChoiceForm.NEW_FIELDS]

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("initial", {
            "full_name": user.full_name, "organisation": user.organisation_id,
            "organisation_mode": OrganisationChoiceForm.EXISTING,
            "preferred_language": user.preferred_language or translation.get_language(),
        })
        super().__init__(*args, **kwargs)

    def clean_full_name(self):
        name = normalise_name(self.cleaned_data["full_name"])
        if not name:
            raise ValidationError(_("Enter your name."))
        return name


class LoginForm(AccessibleFormMixin, AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("E-mail address")
        username.widget.attrs.update({"autocomplete": "username", "inputmode": "email"})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class PasswordResetForm(AccessibleFormMixin, DjangoPasswordResetForm):
    """Django's reset form, with links built from SITE_URL and mail sent through the outbox."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def get_users(self, email):
        users = User.objects.filter(email=normalise_email(email), is_active=True,
                                    anonymised_at__isnull=True)
        return (user for user in users if user.has_usable_password())

    def save(self, **kwargs):
        domain, https = site_domain_and_https()
        # Whatever the view passes (it derives them from the request), the link goes to the
        # configured site: a forged Host header cannot redirect it.
        kwargs.update(
            domain_override=domain, use_https=https,
            subject_template_name="accounts/email/password_reset_subject.txt",
            email_template_name="accounts/email/password_reset.txt",
            html_email_template_name=None,
            extra_email_context={**(kwargs.get("extra_email_context") or {}),
                                 "site_url": settings.SITE_URL.rstrip("/")},
        )
        return super().save(**kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        from django.template import loader

        with speaking_to(context["user"]):  # the reader's language, not the requester's
            subject = "".join(
                loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        queue_email(to=[to_email], subject=subject, body=body, purpose="accounts.password-reset",
                    related=context["user"])


class NewPasswordForm(AccessibleFormMixin, SetPasswordForm):
    pass


class TwoFactorConfirmForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your app"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*"}),
    )


class TwoFactorVerifyForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=20,
        help_text=_("The six-digit code your authenticator app shows, or one of your backup "
                    "codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class DeleteAccountForm(AccessibleFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False,
        help_text=_("To confirm that it is you who deletes the account."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("This is not your password."))
        return password
