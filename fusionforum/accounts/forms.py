from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import User, normalise_email


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "full_name")
