from django.http import Http404


def badge_pdf(request, slug):
    raise Http404("Badges are not available yet.")
