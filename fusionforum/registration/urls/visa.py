"""Visa invitation letters: the participant's page and PDF, the public check, the organisers'
settings."""

from django.urls import path

from ..views import visa

urlpatterns = [
    path("<slug:slug>/registration/visa-letter/", visa.letter, name="visa_letter"),
    path("<slug:slug>/registration/visa-letter.pdf", visa.letter_pdf, name="visa_letter_pdf"),
    path("<slug:slug>/visa-letters/check/", visa.check, name="visa_check"),
    path("manage/<slug:slug>/visa-letters/", visa.manage, name="visa_letters"),
]
